/**
 * A revoked access token is refused for as long as any guard of the token service would serve it.
 * The guard forgives `clockTolerance` (5 s by default) of clock difference on exp: a token is
 * verified until exp + 5 s. The deny-list kept a revoked jti only until exp itself, so for the last
 * few seconds the guard still took the token, isRevoked answered "not revoked" (the entry gone), and
 * the revoked token was served again, cached or not, as Bearer or as DPoP.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { decodeJwt } from 'jose';
import {
  createGuard,
  createTokenService,
  type Decision,
  type Guard,
  memoryStore,
  type TokenService,
} from '../../src/server/index.ts';
import { proof, proofKey } from '../support/dpop-world.ts';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://api.example';
const API = `${AUDIENCE}/me`;

const outcome = (decision: Decision) => (decision.outcome === 'refused' ? decision.refusal.reason : decision.outcome);
const bearer = (guard: Guard, token: string) =>
  guard.decide(new Request(API, { headers: { authorization: `Bearer ${token}` } }));

/** Sets the clock (Date, which jose, the guard and the memory deny-list read) to `ms`. */
const at = (ms: number) => {
  mock.timers.reset();
  mock.timers.enable({ apis: ['Date'], now: ms });
};

describe('a revoked access token in the seconds of clock tolerance after its exp', () => {
  // The clock stands still from the start of each case, so that each moves it where it says.
  beforeEach(() => at(Date.now()));
  afterEach(() => mock.timers.reset());

  const world = () => {
    const service: TokenService = createTokenService({ store: memoryStore(), issuer: ISSUER, audience: AUDIENCE });
    return { service, guard: createGuard({ schemes: [service.bearerScheme()] }) };
  };
  const signed = (service: TokenService) =>
    service.signAccessToken({ id: 'u-alice' }, { clientId: 'app', scope: 'read', expiresAt: Date.now() + 60_000 });

  it('is refused after revoke() (RFC 7009), by a guard that cached it and by a fresh one', async () => {
    const { service, guard } = world();
    const token = await signed(service);
    assert.equal(outcome(await bearer(guard, token)), 'authenticated'); // now in the verifier's cache
    await service.revoke(token, { clientId: 'app' });
    assert.equal(outcome(await bearer(guard, token)), 'token_revoked');
    const exp = decodeJwt(token).exp! * 1000;
    // Still within the guard's tolerance: the token verifies, so the revocation must still hold.
    at(exp + 2000);
    assert.equal(outcome(await bearer(guard, token)), 'token_revoked', 'cached');
    const fresh = createGuard({ schemes: [service.bearerScheme()] });
    assert.equal(outcome(await bearer(fresh, token)), 'token_revoked', 'uncached');
    // Past the tolerance the token is simply expired.
    at(exp + 6000);
    assert.equal(outcome(await bearer(fresh, token)), 'token_expired');
  });

  it('is refused after revokeGrant() (an authorization code used twice)', async () => {
    const { service, guard } = world();
    const { access_token: token } = await service.issue(
      { id: 'u-alice' },
      { clientId: 'app', scope: 'read', refresh: false, familyId: 'family-1', jti: 'jti-1' },
    );
    const { jti, exp } = decodeJwt(token);
    assert.equal(jti, 'jti-1');
    // Within its contract: the token was signed (with the service's lifetime) no later than issuedBy.
    await service.revokeGrant('family-1', 'jti-1', Date.now());
    assert.equal(outcome(await bearer(guard, token)), 'token_revoked');
    at(exp! * 1000 + 2000);
    assert.equal(outcome(await bearer(guard, token)), 'token_revoked');
  });

  it('is refused as DPoP too', async () => {
    const service = createTokenService({ store: memoryStore(), issuer: ISSUER, audience: AUDIENCE });
    const guard = createGuard({ schemes: [service.dpopScheme()] });
    const key = await proofKey();
    const { access_token: token } = await service.issue(
      { id: 'u-alice' },
      { clientId: 'app', scope: 'read', refresh: false, jkt: key.jkt },
    );
    assert.deepEqual(decodeJwt(token).cnf, { jkt: key.jkt }, 'a DPoP-bound token');
    const dpop = async () => {
      const headers = {
        authorization: `DPoP ${token}`,
        dpop: await proof(key, { htm: 'GET', htu: API, accessToken: token }),
      };
      return outcome(await guard.decide(new Request(API, { headers })));
    };
    assert.equal(await dpop(), 'authenticated');
    await service.revoke(token, { clientId: 'app' });
    assert.equal(await dpop(), 'token_revoked');
    at(decodeJwt(token).exp! * 1000 + 2000);
    assert.equal(await dpop(), 'token_revoked');
  });
});
