/**
 * DPoP's replay cache of proof `jti`s (RFC 9449 §11.1) is bounded, and anyone can make keys: a cache
 * filled with live jtis, by one key holder or by many fresh keys, must fail closed as the server's
 * own trouble (503 with Retry-After), as signed requests do, never as a 500 internal error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { memoryNonces } from '../../src/server/index.ts';
import { type DpopWorld, dpopWorld, proof, proofKey } from '../support/dpop-world.ts';
import { post } from '../support/token-world.ts';

const tiny = () => memoryNonces({ maxEntries: 3, maxEntriesPerKey: 3, onFull: () => {} });

describe('a DPoP replay cache full of proofs still inside their window', () => {
  let w: DpopWorld;
  before(async () => {
    w = await dpopWorld({ nonces: tiny() }, { nonces: tiny() });
  });
  after(() => w.close());
  const tokenUrl = () => `${w.url}/oauth/token`;
  const passwordGrant = async (password: string) =>
    post(
      tokenUrl(),
      { grant_type: 'password', client_id: 'web', username: 'alice', password },
      { dpop: await proof(await proofKey(), { htm: 'POST', htu: tokenUrl() }) },
    );

  it('the token endpoint answers 503 temporarily_unavailable with Retry-After, not 500', async () => {
    // Three token requests with a fresh key each, their grants refused: the jtis stay remembered.
    for (let i = 0; i < 3; i++) assert.equal((await passwordGrant('wrong')).status, 400);
    const full = await passwordGrant('alice-password-1');
    assert.equal(full.status, 503, JSON.stringify(full.body));
    assert.equal(full.body.error, 'temporarily_unavailable');
    assert.ok(Number(full.headers.get('retry-after')) >= 1, 'Retry-After says when to come back');
  });

  it('the API answers 503 store_unavailable with Retry-After, not 500', async () => {
    const other = await dpopWorld({ nonces: tiny() });
    try {
      const key = await proofKey();
      const url = `${other.url}/oauth/token`;
      const { access_token } = (
        await post(
          url,
          { grant_type: 'password', client_id: 'web', username: 'alice', password: 'alice-password-1' },
          { dpop: await proof(key, { htm: 'POST', htu: url }) },
        )
      ).body;
      const call = async () =>
        fetch(`${other.url}/api/me`, {
          headers: {
            authorization: `DPoP ${access_token}`,
            dpop: await proof(key, { htm: 'GET', htu: `${other.url}/api/me`, accessToken: access_token }),
          },
        });
      for (let i = 0; i < 3; i++) assert.equal((await call()).status, 200);
      const full = await call();
      assert.equal(full.status, 503);
      assert.equal((await full.json()).code, 'store_unavailable');
      assert.ok(Number(full.headers.get('retry-after')) >= 1, 'Retry-After says when to come back');
    } finally {
      await other.close();
    }
  });
});
