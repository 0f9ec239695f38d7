/** The playground's listeners: malformed requests and a Host that is no authority are answered, and it keeps serving. */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import { INVALID_ARGUMENT } from '../../src/http/argument-error.ts';
import { issuerUrl, startPlayground } from '../../src/playground/serve.ts';
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

describe('playground: the authorization server is named by the URL it is reached at', () => {
  it('serves metadata whose issuer is its own URL, which a strict client (oauth4webapi) accepts (RFC 8414 §3.3)', async () => {
    const issuer = new URL(pg.url);
    const response = await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true });
    const metadata = await oauth.processDiscoveryResponse(issuer, response);
    assert.equal(metadata.issuer, pg.url);
  });

  it('signs its tokens with that issuer as iss', async () => {
    const { access_token } = (await (await fetch(`${pg.url}/tokens/valid`)).json()) as { access_token: string };
    assert.equal(decodeJwt(access_token).iss, pg.url);
  });

  it('takes the public URL it is given, for a playground behind a proxy', async () => {
    const behind = await startPlayground({ issuer: 'https://auth.example.test/' });
    try {
      const metadata = (await (await fetch(`${behind.url}/.well-known/oauth-authorization-server`)).json()) as {
        issuer: string;
      };
      assert.equal(metadata.issuer, 'https://auth.example.test');
    } finally {
      await behind.close();
    }
  });

  it('refuses an issuer a client could not match: plain http off loopback, a query, a fragment', () => {
    for (const bad of ['http://auth.example.test', 'https://a.test/?x=1', 'https://a.test/#f', 'ftp://a.test', 'x'])
      assert.throws(() => issuerUrl(bad), { code: INVALID_ARGUMENT }, bad);
    assert.equal(issuerUrl('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080');
    assert.equal(issuerUrl('https://a.test/tenant'), 'https://a.test/tenant');
  });
});
