/** httpbin's /status/:codes: a 407 with its Proxy-Authenticate challenge. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { playgroundPerFile } from '../../support/playground.ts';

const pg = playgroundPerFile();

describe('httpbin compatibility', () => {
  it('status/407 with a Proxy-Authenticate challenge (read with node:http: fetch turns any 407 into a network error)', async () => {
    const { request } = await import('node:http');
    const answer = await new Promise<{ status: number; challenge: string | undefined }>((resolve, reject) => {
      request(`${pg.url}/status/407`, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, challenge: res.headers['proxy-authenticate'] });
      })
        .on('error', reject)
        .end();
    });
    assert.deepStrictEqual(answer, { status: 407, challenge: 'Basic realm="Fake Realm"' });
  });
});
