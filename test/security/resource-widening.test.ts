/**
 * Audience widening (RFC 8707): a grant the user consented to for one API must not become a
 * token for another, however the client asks later.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API, aliceCode, type CodeWorld, codeWorld, REPORTS, redeem } from '../support/code-flow.ts';
import { post } from '../support/token-world.ts';

describe('resource indicators through refresh', () => {
  let w: CodeWorld;
  before(async () => {
    w = await codeWorld();
  });
  after(() => w.close());

  const refresh = (refreshToken: string, extra: Record<string, string> = {}) =>
    post(`${w.url}/oauth/token`, {
      grant_type: 'refresh_token',
      client_id: 'app',
      refresh_token: refreshToken,
      ...extra,
    });
  const audienceOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).aud;

  it('a refresh of a grant for API cannot name another resource (RFC 8707 §2.2)', async () => {
    const { code, verifier } = await aliceCode(w.url, { resource: API });
    const tokens = await redeem(w.url, code, verifier);
    assert.equal(audienceOf(tokens.body.access_token), API);
    const widened = await refresh(tokens.body.refresh_token, { resource: REPORTS });
    assert.equal(
      widened.status,
      400,
      `refresh answered ${widened.status} with aud ${widened.body.access_token && audienceOf(widened.body.access_token)}`,
    );
    assert.equal(widened.body.error, 'invalid_target');
  });

  it('a refresh without resource keeps the grant’s audience, not the service’s default', async () => {
    const { code, verifier } = await aliceCode(w.url, { resource: API });
    const tokens = await redeem(w.url, code, verifier);
    const next = await refresh(tokens.body.refresh_token);
    assert.equal(next.status, 200);
    assert.equal(audienceOf(next.body.access_token), API, 'the refreshed token is for another audience than consented');
  });
});
