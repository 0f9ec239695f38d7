/**
 * The refresh skew against a real loopback token endpoint: a token that lives less than the
 * default 30 s skew is reused, not fetched anew on every call.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { oauth2ClientCredentials, tokenSource } from '../../../src/client/index.ts';

describe('tokenSource: the refresh skew adapts to the token lifetime', () => {
  let server: Server;
  let requests = 0;
  let expiresIn = 20;
  let url = '';
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        requests++;
        res.sendDate = false; // the lifetime runs from arrival, to the millisecond (a Date has whole seconds)
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ access_token: `at-${requests}`, token_type: 'Bearer', expires_in: expiresIn }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });
  after(() => server.close());

  const source = () => oauth2ClientCredentials({ tokenUrl: url, clientId: 'c', clientSecret: 's' });

  it('makes one token request for five calls with a 20 s token', async () => {
    requests = 0;
    expiresIn = 20;
    const tokens = source();
    const seen = [];
    for (let i = 0; i < 5; i++) seen.push((await tokens.getToken()).accessToken);
    assert.equal(requests, 1);
    assert.deepEqual(new Set(seen), new Set(['at-1']));
  });

  it('refreshes a 1 s token once a tenth of its life is left, not before', async () => {
    requests = 0;
    expiresIn = 1;
    const tokens = source();
    await tokens.getToken();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await tokens.getToken();
    assert.equal(requests, 1, 'half-way through its second, the token is still used');
    await new Promise((resolve) => setTimeout(resolve, 450));
    await tokens.getToken();
    assert.equal(requests, 2, 'within the last tenth (100 ms), a new one is fetched');
  });

  it('keeps the 30 s skew for a long-lived token, and an explicit skewMs caps it the same way', async () => {
    let fetched = 0;
    const hour = tokenSource(async () => {
      fetched++;
      return { access_token: 'long', expires_in: 3600 };
    });
    await hour.getToken();
    await hour.getToken();
    assert.equal(fetched, 1);
    // A token whose 3600 s have only 20 s left is refreshed: 20 s is inside the 30 s skew.
    let now = 0;
    const nearlyOver = tokenSource(async () => {
      now++;
      return now === 1
        ? { accessToken: 'old', issuedAt: Date.now() - 3_580_000, expiresAt: Date.now() + 20_000 }
        : { accessToken: 'new', expiresAt: Date.now() + 3_600_000 };
    });
    await nearlyOver.getToken();
    assert.equal((await nearlyOver.getToken()).accessToken, 'new');
  });
});
