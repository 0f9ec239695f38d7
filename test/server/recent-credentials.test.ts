/**
 * A guard whose only scheme is Bearer answers a token it verified recently from the Authorization
 * field as it came, without reading the field in full (recent-credentials.ts). These tests hold
 * that shortcut to the full reading: for every field, the same decision a guard that reads every
 * field in full gives (the same bearer scheme, beside a second scheme the requests never use);
 * revocation, a failing isRevoked, the permission and the token's expiry all still apply; and a
 * guard with several schemes never takes it.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { bearerScheme, createGuard, type Decision, type Guard, requireScopes } from '../../src/server/index.ts';
import { type Fixture, fixture, JWT_SECRET, jwt } from '../support/guard-fixture.ts';

const request = (authorization: string | null, headers: Record<string, string> = {}) =>
  new Request('http://api.test/me', {
    headers: authorization === null ? headers : { ...headers, authorization },
  });

/** What a client sees of a decision: served as whom, or refused for which reason, with which status. */
function seen(decision: Decision, guard: Guard): unknown {
  if (decision.outcome === 'authenticated') return { served: decision.principal };
  if (decision.outcome === 'refused')
    return { refused: decision.refusal.reason, status: guard.refusalResponse(decision.refusal).status };
  return decision.outcome;
}

describe('a recently verified bearer token', () => {
  let f: Fixture;
  let only: Guard;
  let full: Guard;
  let token: string;
  before(async () => {
    f = await fixture();
    // The same bearer scheme (and so the same cache of verified tokens) in both guards.
    only = f.guard(['bearer']);
    full = f.guard(['bearer', 'apiKey']);
    token = await jwt({ sub: 'u-alice', jti: 'recent-1' });
    assert.equal((await only.decide(request(`Bearer ${token}`))).outcome, 'authenticated');
  });

  it('is decided for every field as the full reading decides it', async () => {
    const fields: Array<string | readonly string[]> = [
      `Bearer ${token}`,
      `bearer ${token}`,
      `BEARER ${token}`,
      `Bearer  ${token}`,
      `Bearer ${token} `,
      ` Bearer ${token}`,
      `Bearer\t${token}`,
      `Bearer ${token},`,
      `Bearer ${token}x`,
      `Bearer ${token.slice(0, -1)}`,
      `Bearer ${token}=`,
      `Bearer ${token} ${token}`,
      `Bearer ${token}, Bearer ${token}`,
      `Bearerx ${token}`,
      `DPoP ${token}`,
      `Basic ${token}`,
      `Bearer`,
      '',
      [`Bearer ${token}`, `Bearer ${token}`],
      [`Bearer ${token}`],
    ];
    for (const field of fields) {
      const viaOnly = await only.decide(request(null), { authorization: field });
      const viaFull = await full.decide(request(null), { authorization: field });
      assert.deepEqual(seen(viaOnly, only), seen(viaFull, full), `Authorization: ${JSON.stringify(field)}`);
    }
    // Read from the request's own headers as well (no field handed over by an adapter).
    for (const field of [`Bearer ${token}`, `bearer ${token}`, `Bearer ${token}x`]) {
      assert.deepEqual(
        seen(await only.decide(request(field)), only),
        seen(await full.decide(request(field)), full),
        field,
      );
    }
  });

  it('is served at once, with a principal of its own each time', async () => {
    const first = only.decide(request(`Bearer ${token}`));
    const second = only.decide(request(`Bearer ${token}`));
    assert.ok(!(first instanceof Promise) && !(second instanceof Promise), 'a cached token waits for nothing');
    assert.ok(first.outcome === 'authenticated' && second.outcome === 'authenticated');
    assert.equal(first.principal.id, 'u-alice');
    assert.notEqual(first.principal, second.principal);
    first.principal.scopes.push('admin');
    assert.deepEqual(second.principal.scopes, ['read']);
  });

  it('is still asked about revocation, and refused once revoked', async () => {
    const revocable = await jwt({ sub: 'u-alice', jti: 'recent-revoked' });
    assert.equal((await only.decide(request(`Bearer ${revocable}`))).outcome, 'authenticated');
    f.revoked.add('recent-revoked');
    const decision = only.decide(request(`Bearer ${revocable}`));
    assert.ok(!(decision instanceof Promise));
    assert.deepEqual(seen(decision, only), { refused: 'token_revoked', status: 401 });
  });

  it("still has to meet the route's permission", async () => {
    const decision = await only.decide(request(`Bearer ${token}`), { permission: requireScopes('admin') });
    assert.deepEqual(seen(decision, only), { refused: 'insufficient_scope', status: 403 });
  });

  it('whose revocation check fails is the server’s failure, reported for the bearer scheme', async () => {
    const reports: string[] = [];
    let failing = false;
    const scheme = bearerScheme({
      jwt: {
        key: JWT_SECRET,
        algorithms: ['HS256'],
        isRevoked: () => {
          if (failing) throw new Error('revocation list unreachable');
          return false;
        },
      },
    });
    const guard = createGuard({ schemes: [scheme], onError: (failure) => void reports.push(failure.source) });
    const own = await jwt({ sub: 'u-alice' });
    assert.equal((await guard.decide(request(`Bearer ${own}`))).outcome, 'authenticated');
    failing = true;
    const decision = await guard.decide(request(`Bearer ${own}`));
    assert.deepEqual(seen(decision, guard), { refused: 'internal_error', status: 500 });
    assert.deepEqual(reports, ['scheme "bearer"']);
  });

  it('is verified again once it expires, and refused as expired', async () => {
    const guard = createGuard({
      schemes: [bearerScheme({ jwt: { key: JWT_SECRET, algorithms: ['HS256'], clockTolerance: 0 } })],
    });
    const exp = Math.floor(Date.now() / 1000) + 1;
    const shortLived = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u-alice')
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(JWT_SECRET));
    assert.equal((await guard.decide(request(`Bearer ${shortLived}`))).outcome, 'authenticated');
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    const decision = await guard.decide(request(`Bearer ${shortLived}`));
    assert.deepEqual(seen(decision, guard), { refused: 'token_expired', status: 401 });
  });

  it('does not pass a guard with several schemes by a credential another scheme finds malformed', async () => {
    // Two X-API-Key values are malformed credentials of the apiKey scheme, whatever else was sent.
    const decision = await full.decide(request(`Bearer ${token}`, { 'x-api-key': 'a, b' }));
    assert.deepEqual(seen(decision, full), { refused: 'credentials_malformed', status: 400 });
  });
});

describe('createGuard() settles its options', () => {
  it('reads the options object once: a permission, realm or hook set on it later is not used', async () => {
    const f = await fixture();
    const seenRefusals: string[] = [];
    const options: Parameters<typeof createGuard>[0] = { realm: 'first', schemes: [f.schemes.bearer] };
    const guard = createGuard(options);
    const token = `Bearer ${await jwt({ sub: 'u-alice' })}`;
    assert.equal((await guard.decide(request(token))).outcome, 'authenticated');
    options.permission = requireScopes('admin');
    options.realm = 'second';
    options.onRefusal = (refusal) => void seenRefusals.push(refusal.reason);
    assert.equal(
      (await guard.decide(request(token))).outcome,
      'authenticated',
      'a permission set later is not applied',
    );
    const refused = await guard.decide(request(null));
    assert.ok(refused.outcome === 'refused');
    assert.match(guard.refusalResponse(refused.refusal).headers.get('www-authenticate') ?? '', /realm="first"/);
    assert.deepEqual(seenRefusals, [], 'a hook set later is not called');
    assert.deepEqual(guard.openapi().security, [{ bearer: [] }]);
  });

  it('reads the list it was given once: a scheme added to it later is not used', async () => {
    const f = await fixture();
    const schemes = [f.schemes.bearer];
    const guard = createGuard({ schemes });
    schemes.push(f.schemes.apiKey);
    const decision = await guard.decide(request(null, { 'x-api-key': f.apiKey }));
    assert.deepEqual(seen(decision, guard), { refused: 'credentials_missing', status: 401 });
  });
});
