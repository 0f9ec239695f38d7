/**
 * Redirect URIs a hostile client can write: a loopback redirect URI on any port (RFC 8252 §7.3)
 * must still be a URL the server can send the browser to, or an error page, never a 500.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authorizationParams, authorizeGet, type CodeWorld, codeWorld } from '../support/code-flow.ts';

describe('loopback redirect URIs with a port no URL can have', () => {
  let w: CodeWorld;
  const failures: unknown[] = [];
  before(async () => {
    w = await codeWorld({ onError: (failure) => void failures.push(failure) });
  });
  after(() => w.close());

  it('port 99999 on a loopback redirect URI is the user’s error page, not the server’s failure', async () => {
    for (const extra of [{ response_type: 'token' }, {}]) {
      const { params } = authorizationParams({ redirect_uri: 'http://127.0.0.1:99999/callback', ...extra });
      const answer = await authorizeGet(w.url, params);
      await answer.body?.cancel();
      assert.ok(answer.status < 500, `authorize answered ${answer.status} for ${JSON.stringify(extra)}`);
    }
    assert.equal(failures.length, 0, 'a client-written URI is reported as the server’s own failure');
  });
});
