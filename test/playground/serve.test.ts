/** The playground's listeners: malformed requests and a Host that is no authority are answered, and it keeps serving. */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { playgroundPerFile } from '../support/playground.ts';

const pg = playgroundPerFile();

/** Sends raw bytes and returns the first line of the answer. */
function raw(bytes: string): Promise<string> {
  const { port } = new URL(pg.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(bytes));
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
    socket.on('error', () => resolve(data.split('\r\n')[0] ?? ''));
    setTimeout(() => socket.destroy(), 2000);
  });
}

describe('playground: bad input', () => {
  it('malformed requests never crash it: it answers them and keeps serving', async () => {
    assert.match(await raw('FOO BAR\r\n\r\n'), /^HTTP\/1\.1 400/);
    assert.match(await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), /^HTTP\/1\.1 431/);
    assert.match(
      await raw('POST /anything HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot hex\r\n0\r\n\r\n'),
      /^HTTP\/1\.1 400/,
    );
    assert.match(
      await raw('GET /get HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n'),
      /^HTTP\/1\.1 400/,
    );
    assert.equal((await fetch(`${pg.url}/get`)).status, 200);
  });

  it('a Host that is no authority gets 400 request_invalid problem+json, as the library’s mounts answer it', async () => {
    const { port } = new URL(pg.url);
    const exchange = (bytes: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.write(bytes));
        let data = '';
        socket.on('data', (chunk) => {
          data += chunk;
        });
        socket.on('close', () => resolve(data));
        socket.on('error', () => resolve(data));
        setTimeout(() => socket.destroy(), 2000);
      });
    for (const [target, host] of [
      ['POST /oauth/token', 'a b'],
      ['GET /api/me', 'x:99999'],
      ['GET /get', 'a@b:c'],
    ] as const) {
      const answer = await exchange(
        `${target} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      assert.match(head, /^HTTP\/1\.1 400/, host);
      assert.match(head, /content-type: application\/problem\+json/i, host);
      const problem = JSON.parse(body.slice(body.indexOf('{'), body.lastIndexOf('}') + 1));
      assert.deepStrictEqual([problem.status, problem.code], [400, 'request_invalid'], host);
      assert.ok(!JSON.stringify(problem).includes(host), `the problem echoes the Host ${host}`);
    }
    assert.equal((await fetch(`${pg.url}/get`)).status, 200);
  });
});
