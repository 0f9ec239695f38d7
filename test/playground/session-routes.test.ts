/** The playground's cookie session: POST /session/login, and /api/session asking for the CSRF token on unsafe methods. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { playgroundPerFile } from '../support/playground.ts';

const pg = playgroundPerFile();
const { json } = pg;

describe('playground: OAuth and the guarded routes', () => {
  it('a session cookie, with its CSRF token on unsafe methods', async () => {
    const login = await fetch(`${pg.url}/session/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=alice&password=alice-password',
    });
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const { csrfToken } = await login.json();
    assert.equal((await json('/api/session', { headers: { cookie } })).status, 200);
    assert.equal((await json('/api/session', { method: 'POST', headers: { cookie } })).body.code, 'forbidden');
    assert.equal(
      (await json('/api/session', { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken } })).status,
      200,
    );
  });
});
