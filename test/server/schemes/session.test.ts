/** Cookie sessions: signed cookies issued HttpOnly, Secure and SameSite=Lax, and a CSRF token asked for on unsafe methods. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ask, type Fixture, fixture } from '../../support/guard-fixture.ts';

let f: Fixture;
before(async () => {
  f = await fixture();
});

describe('sessions', () => {
  it('accepts the signed cookie on safe methods and asks for the CSRF token on unsafe ones', async () => {
    const g = f.guard(['session']);
    assert.equal((await ask(g, { cookie: f.sessionCookie })).principal, 'u-alice');
    const noToken = await ask(g, { cookie: f.sessionCookie }, { method: 'POST' });
    assert.deepStrictEqual([noToken.status, noToken.body['code']], [403, 'forbidden']);
    assert.match(String(noToken.body['detail']), /CSRF token in the x-csrf-token header/);
    assert.equal(
      (await ask(g, { cookie: f.sessionCookie, 'x-csrf-token': f.csrfToken }, { method: 'POST' })).principal,
      'u-alice',
    );
    const forged = await ask(g, { cookie: f.sessionCookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) });
    assert.deepStrictEqual([forged.status, forged.body['code']], [401, 'credentials_invalid']);
  });
});

describe('session cookies', () => {
  it('are HttpOnly, Secure and SameSite=Lax, signed, with a CSRF token bound to the session', async () => {
    const { issueSession } = await import('../../../src/server/index.ts');
    const issued = issueSession('session-id-abcdefghijklmnop', { secret: 'a-session-secret-of-at-least-32-bytes!!' });
    assert.match(
      issued.setCookie,
      /^gh_session=session-id-abcdefghijklmnop\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    assert.match(issued.csrfToken, /^[A-Za-z0-9_-]{43}$/);
    assert.throws(() => issueSession('short', { secret: 'a-session-secret-of-at-least-32-bytes!!' }), /16–128/);
    assert.throws(() => issueSession('session-id-abcdefghijklmnop', { secret: 'too-short' }), /at least 32 bytes/);
  });
});
