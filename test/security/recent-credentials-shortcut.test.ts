/**
 * The guard's shortcut for a recently verified bearer token (recent-credentials.ts) answers only
 * where the full reading would reach the same scheme's verify(). A scheme is a plain object whose
 * verify() and detect() an app may wrap in place (a tenant check, an extra refusal); the full
 * reading calls whatever the scheme holds at the time of the request, so the shortcut must not
 * answer from the verifier's cache past a verify() or detect() that is no longer the scheme's own.
 * Nor may it answer for a token the guard's parser would never hand over: one an app verified
 * itself (a WebSocket's access_token read from the URL) with characters no bearer token has.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bearerScheme,
  createGuard,
  type Decision,
  dpopScheme,
  isRefusal,
  type Refusal,
} from '../../src/server/index.ts';
import { proof, proofKey } from '../support/dpop-world.ts';
import { AUDIENCE, ISSUER, JWT_SECRET, jwt } from '../support/guard-fixture.ts';

const jwtOptions = { key: JWT_SECRET, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE };

const request = (authorization: string, headers: Record<string, string> = {}) =>
  new Request('http://api.test/me', { headers: { ...headers, authorization } });

const outcome = (decision: Decision) => (decision.outcome === 'refused' ? decision.refusal.reason : decision.outcome);

const wrongTenant: Refusal = { reason: 'credentials_invalid', scheme: 'bearer', detail: 'Another tenant.' };

describe('a bearer scheme wrapped in place', () => {
  it('keeps its wrapped verify() for a token the verifier has cached (wrapped after createGuard)', async () => {
    const scheme = bearerScheme({ jwt: jwtOptions });
    const guard = createGuard({ schemes: [scheme] });
    const own = scheme.verify;
    // The app adds a tenant check around the scheme's own verify().
    scheme.verify = async (credentials, guardRequest) => {
      const result = await own(credentials, guardRequest);
      if (isRefusal(result)) return result;
      return result.claims?.['tenant'] === guardRequest.request.headers.get('x-tenant') ? result : wrongTenant;
    };
    const token = await jwt({ sub: 'u-alice', tenant: 't-1' });
    assert.equal(outcome(await guard.decide(request(`Bearer ${token}`, { 'x-tenant': 't-1' }))), 'authenticated');
    // Now cached by the verifier: the wrapped verify() must still refuse another tenant.
    const other = await guard.decide(request(`Bearer ${token}`, { 'x-tenant': 't-2' }));
    assert.equal(outcome(other), 'credentials_invalid');
  });

  it('keeps its wrapped verify() when it was wrapped before createGuard', async () => {
    const scheme = bearerScheme({ jwt: jwtOptions });
    const own = scheme.verify;
    const denied = new Set(['u-mallory']);
    scheme.verify = async (credentials, guardRequest) => {
      const result = await own(credentials, guardRequest);
      return !isRefusal(result) && denied.has(result.id) ? wrongTenant : result;
    };
    const guard = createGuard({ schemes: [scheme] });
    const token = await jwt({ sub: 'u-mallory' });
    // The first request verifies (and caches) the token, then the wrapper refuses it.
    assert.equal(outcome(await guard.decide(request(`Bearer ${token}`))), 'credentials_invalid');
    assert.equal(outcome(await guard.decide(request(`Bearer ${token}`))), 'credentials_invalid');
  });

  it('keeps its replaced detect(): credentials it no longer finds are missing', async () => {
    const scheme = bearerScheme({ jwt: jwtOptions });
    const guard = createGuard({ schemes: [scheme] });
    const token = await jwt({ sub: 'u-alice' });
    assert.equal(outcome(await guard.decide(request(`Bearer ${token}`))), 'authenticated');
    // The app turns the scheme off: it finds no credentials any more.
    scheme.detect = () => ({ present: false });
    assert.equal(outcome(await guard.decide(request(`Bearer ${token}`))), 'credentials_missing');
  });
});

describe('a token an app verified itself, outside the Authorization field', () => {
  it('is not served from the field when the field could not carry it', async () => {
    const scheme = bearerScheme({ jwt: jwtOptions });
    const guard = createGuard({ schemes: [scheme] });
    const [header, payload, signature] = (await jwt({ sub: 'u-alice' })).split('.');
    // jose reads base64url past ASCII whitespace: these verify when handed to verify() directly.
    const odd = [
      `${header}.${payload}.${signature!.slice(0, 5)} ${signature!.slice(5)}`,
      `${header}.${payload}.${signature!.slice(0, 5)}\n${signature!.slice(5)}`,
    ];
    const accepts = { accepts: (name: string) => name === 'bearer' };
    for (const token of odd) {
      const direct = await scheme.verify({ kind: 'bearer', token }, accepts as never);
      assert.ok(!isRefusal(direct), 'the app verified it itself');
      // The full reading refuses such a field as malformed (400), cached or not.
      const decision = await guard.decide(new Request('http://api.test/me'), { authorization: `Bearer ${token}` });
      assert.equal(outcome(decision), 'credentials_malformed', JSON.stringify(token));
    }
  });
});

/**
 * A store may answer with any thenable where the type says Promise (maybe-promise.ts). One whose
 * then() returns nothing (it calls back, as Promises/A+ lets a thenable do) made the verifier's
 * cached() answer undefined, a miss: the token was verified again on every request, isRevoked
 * asked three times for one request, and the answer was a 500 for a token that was not revoked.
 */
describe('isRevoked answering a thenable whose then() returns nothing', () => {
  it('is asked once per request, and its answer is the decision', async () => {
    let asked = 0;
    let revoked = false;
    const isRevoked = () => {
      asked++;
      // biome-ignore lint/suspicious/noThenProperty: a bare thenable, which isRevoked may answer, is the case tested
      return { then: (settle: (yes: boolean) => void) => void settle(revoked) } as unknown as Promise<boolean>;
    };
    const guard = createGuard({ schemes: [bearerScheme({ jwt: { ...jwtOptions, isRevoked } })], onError: () => {} });
    const token = await jwt({ sub: 'u-alice' });
    for (const expected of ['authenticated', 'authenticated', 'token_revoked']) {
      revoked = expected === 'token_revoked';
      asked = 0;
      assert.equal(outcome(await guard.decide(request(`Bearer ${token}`))), expected);
      assert.equal(asked, 1);
    }
  });

  it('is a 5xx for the scheme when it is neither a boolean nor a thenable, on both paths', async () => {
    // biome-ignore lint/suspicious/noThenProperty: an object whose then is no function is one of the answers tested
    for (const answer of [undefined, null, 0, 'no', { then: 5 }]) {
      const failures: string[] = [];
      const isRevoked = () => answer as unknown as boolean;
      const onError = ({ source }: { source: string }) => void failures.push(source);
      const guard = createGuard({ schemes: [bearerScheme({ jwt: { ...jwtOptions, isRevoked } })], onError });
      const token = await jwt({ sub: 'u-alice' });
      assert.equal(outcome(await guard.decide(request(`Bearer ${token}`))), 'internal_error');
      assert.equal(outcome(await guard.decide(request(`Bearer ${token}`))), 'internal_error');
      assert.deepEqual(failures, ['scheme "bearer"', 'scheme "bearer"']);
    }
  });
});

/**
 * An async isRevoked that forgets its `return` (`async (p) => { await denyList.has(p.jti) }`)
 * resolves to undefined. Read as "not revoked", every revoked token was served: the same answer
 * given at once was already a 500. A promised answer is held to the same contract.
 */
describe('isRevoked whose promise resolves to no boolean', () => {
  it('is a 5xx for the scheme, never a served token, on both paths', async () => {
    for (const answer of [undefined, null, 0, 1, 'yes', {}]) {
      const failures: string[] = [];
      const isRevoked = async () => answer as unknown as boolean;
      const onError = ({ source }: { source: string }) => void failures.push(source);
      const guard = createGuard({ schemes: [bearerScheme({ jwt: { ...jwtOptions, isRevoked } })], onError });
      const token = await jwt({ sub: 'u-alice' });
      assert.equal(outcome(await guard.decide(request(`Bearer ${token}`))), 'internal_error', String(answer));
      assert.equal(outcome(await guard.decide(request(`Bearer ${token}`))), 'internal_error', String(answer));
      assert.deepEqual(failures, ['scheme "bearer"', 'scheme "bearer"']);
    }
  });

  it('still serves false and refuses true when promised', async () => {
    for (const [revoked, expected] of [
      [false, 'authenticated'],
      [true, 'token_revoked'],
    ] as const) {
      const isRevoked = async () => revoked;
      const guard = createGuard({ schemes: [bearerScheme({ jwt: { ...jwtOptions, isRevoked } })] });
      const token = await jwt({ sub: 'u-alice' });
      assert.equal(outcome(await guard.decide(request(`Bearer ${token}`))), expected);
      assert.equal(outcome(await guard.decide(request(`Bearer ${token}`))), expected);
    }
  });
});

/**
 * The same contract on the DPoP scheme (its verifier is the bearer one, no shortcut before it), and
 * for answers that look like booleans without being one: a Boolean object (truthy even for false),
 * a thenable that settles with a thenable, a rejection. A revoked token is never served for them.
 */
describe('isRevoked answering near-booleans, as Bearer and as DPoP', () => {
  /** A bare thenable that settles with `value`, as a store's client may answer. */
  // biome-ignore lint/suspicious/noThenProperty: a bare thenable, which isRevoked may answer, is the case tested
  const thenable = (value: unknown) => ({ then: (settle: (v: unknown) => void) => settle(value) });
  const answers: Array<[string, () => unknown, string]> = [
    ['a promise of new Boolean(false)', () => Promise.resolve(new Boolean(false)), 'internal_error'],
    ['a promise of new Boolean(true)', () => Promise.resolve(new Boolean(true)), 'internal_error'],
    ['new Boolean(true), at once', () => new Boolean(true), 'internal_error'],
    ['a rejected promise', () => Promise.reject(new Error('deny-list down')), 'internal_error'],
    ['a thenable settling with a thenable of true', () => thenable(thenable(true)), 'token_revoked'],
    ['a thenable settling with a thenable of undefined', () => thenable(thenable(undefined)), 'internal_error'],
  ];

  it('answers each the same on both paths of Bearer', async () => {
    for (const [name, isRevoked, expected] of answers) {
      const guard = createGuard({
        schemes: [bearerScheme({ jwt: { ...jwtOptions, isRevoked: isRevoked as () => boolean } })],
        onError: () => {},
      });
      const token = await jwt({ sub: 'u-alice' });
      assert.equal(outcome(await guard.decide(request(`Bearer ${token}`))), expected, name);
      assert.equal(outcome(await guard.decide(request(`Bearer ${token}`))), expected, `${name}, cached`);
    }
  });

  it('answers each the same as DPoP, with a good proof', async () => {
    const key = await proofKey();
    for (const [name, isRevoked, expected] of answers) {
      const guard = createGuard({
        schemes: [dpopScheme({ jwt: { ...jwtOptions, isRevoked: isRevoked as () => boolean } })],
        onError: () => {},
      });
      const token = await jwt({ sub: 'u-alice', cnf: { jkt: key.jkt } });
      for (const when of ['', ', cached']) {
        const dpop = await proof(key, { htm: 'GET', htu: 'http://api.test/me', accessToken: token });
        assert.equal(outcome(await guard.decide(request(`DPoP ${token}`, { dpop }))), expected, `${name}${when}`);
      }
    }
  });
});

/**
 * RFC 9449 §7: a DPoP-bound token is nothing without its key. Asked before the proof, isRevoked
 * told whoever holds a stolen token, without the key, whether the theft was noticed (token_revoked
 * against dpop_proof_invalid), and let them make the server ask its deny-list at will. The proof
 * comes first; the deny-list is asked only for a request that proves the key.
 */
describe('DPoP: revocation asked only once the proof holds', () => {
  it('refuses a revoked token with no proof, or another key’s, as it refuses a live one, without asking', async () => {
    const key = await proofKey();
    const thief = await proofKey();
    for (const revoked of [true, false]) {
      let asked = 0;
      const isRevoked = () => {
        asked++;
        return revoked;
      };
      const guard = createGuard({ schemes: [dpopScheme({ jwt: { ...jwtOptions, isRevoked } })] });
      const token = await jwt({ sub: 'u-alice', cnf: { jkt: key.jkt } });
      const stolen = await proof(thief, { htm: 'GET', htu: 'http://api.test/me', accessToken: token });
      assert.equal(outcome(await guard.decide(request(`DPoP ${token}`))), 'dpop_proof_invalid');
      assert.equal(outcome(await guard.decide(request(`DPoP ${token}`, { dpop: stolen }))), 'dpop_binding_mismatch');
      assert.equal(asked, 0, `isRevoked asked without the key (revoked: ${revoked})`);
      // With the key, the deny-list decides.
      const dpop = await proof(key, { htm: 'GET', htu: 'http://api.test/me', accessToken: token });
      assert.equal(
        outcome(await guard.decide(request(`DPoP ${token}`, { dpop }))),
        revoked ? 'token_revoked' : 'authenticated',
      );
      assert.equal(asked, 1);
    }
  });
});
