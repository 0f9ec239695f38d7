/**
 * The guard: what it decides for what a client sent (malformed credentials, a scheme it does not
 * accept, wrong credentials, reported for the scheme the client used), and guard.decide(): the
 * decision authenticate() gives, returned at once when no step waited (a cached token), so adapters
 * spare most requests their promises; a promise where a step waits.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  basicScheme,
  createGuard,
  type Guard,
  hashPassword,
  memoryUsers,
  parseChallenges,
  requireScopes,
} from '../../src/server/index.ts';
import {
  ALL_CHALLENGES,
  AUDIENCE,
  ask,
  basicHeader,
  type Fixture,
  fixture,
  ISSUER,
  JWT_SECRET,
  jwt,
} from '../support/guard-fixture.ts';
import { unsignedJwt } from '../support/jwt.ts';

let f: Fixture;
let guard: Guard;
before(async () => {
  f = await fixture();
  guard = f.guard(['bearer', 'basic', 'apiKey']);
});

const request = (authorization: string) => new Request('http://api.test/me', { headers: { authorization } });

describe('guard.decide()', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });

  it('answers a cached token without a promise, with the same decision authenticate() gives', async () => {
    const guard = f.guard(['bearer']);
    const token = `Bearer ${await jwt({ sub: 'u-alice' })}`;
    const first = guard.decide(request(token));
    assert.ok(first instanceof Promise, 'the first sight of a token verifies its signature: a promise');
    assert.deepStrictEqual((await first).outcome, 'authenticated');
    const cached = guard.decide(request(token));
    assert.ok(!(cached instanceof Promise), 'a cached token is decided at once');
    assert.deepStrictEqual(cached, await guard.authenticate(request(token)));
    assert.equal(cached.outcome === 'authenticated' && cached.principal.id, 'u-alice');
  });

  it('gives each request its own principal, so a handler that changes it changes no other request', async () => {
    const guard = f.guard(['bearer']);
    const token = `Bearer ${await jwt({ sub: 'u-alice' })}`;
    await guard.decide(request(token));
    const a = guard.decide(request(token));
    const b = guard.decide(request(token));
    assert.ok(!(a instanceof Promise) && !(b instanceof Promise));
    assert.ok(a.outcome === 'authenticated' && b.outcome === 'authenticated');
    a.principal.scopes.push('admin');
    assert.deepStrictEqual(b.principal.scopes, ['read']);
  });

  it('refuses a cached token at once when a synchronous permission says no, and waits for an async one', async () => {
    const token = `Bearer ${await jwt({ sub: 'u-alice' })}`;
    const guard = createGuard({
      schemes: [f.schemes.bearer],
      permission: requireScopes('admin'),
    });
    await guard.decide(request(token));
    const refused = guard.decide(request(token));
    assert.ok(!(refused instanceof Promise));
    assert.equal(refused.outcome === 'refused' && refused.refusal.reason, 'insufficient_scope');
    const slow = guard.decide(request(token), {
      permission: { check: async () => true as const, requires: { scopes: [], roles: [] } },
    });
    assert.ok(slow instanceof Promise);
    assert.equal((await slow).outcome, 'authenticated');
  });

  it('answers Basic credentials that verified recently without a promise, each request with its own principal', async () => {
    const users = memoryUsers([
      { id: 'u-b', username: 'bea', passwordHash: await hashPassword('bea-password'), scopes: ['read'], roles: [] },
    ]);
    const guard = createGuard({ schemes: [basicScheme({ users })] });
    const right = request(`Basic ${btoa('bea:bea-password')}`);
    const first = guard.decide(right);
    assert.ok(first instanceof Promise, 'the first sight of a pair hashes the password: a promise');
    assert.equal((await first).outcome, 'authenticated');
    const a = guard.decide(request(`Basic ${btoa('bea:bea-password')}`));
    const b = guard.decide(request(`Basic ${btoa('bea:bea-password')}`));
    assert.ok(!(a instanceof Promise) && !(b instanceof Promise), 'a remembered pair is decided at once');
    assert.ok(a.outcome === 'authenticated' && b.outcome === 'authenticated');
    a.principal.scopes.push('admin');
    assert.deepStrictEqual(b.principal.scopes, ['read']);
    // A wrong password is never answered from memory: it costs a hash, so it waits.
    const wrong = guard.decide(request(`Basic ${btoa('bea:not-the-password')}`));
    assert.ok(wrong instanceof Promise);
    assert.equal((await wrong).outcome, 'refused');
  });

  it('turns a store that answers with a bare thenable into a real Promise, which is what adapters test for', async () => {
    const user = {
      id: 'u-t',
      username: 'thenable',
      passwordHash: await hashPassword('thenable-password'),
      scopes: [],
      roles: [],
    };
    const users = {
      findUserByName: (name: string) => ({
        // biome-ignore lint/suspicious/noThenProperty: the point of the test is a bare thenable
        then: (resolve: (u: unknown) => void) => resolve(name === 'thenable' ? user : undefined),
      }),
    };
    const guard = createGuard({ schemes: [basicScheme({ users: users as never })] });
    const pending = guard.decide(request(`Basic ${btoa('thenable:thenable-password')}`));
    assert.ok(pending instanceof Promise);
    assert.equal((await pending).outcome, 'authenticated');
  });

  it('names the step that failed to onError, whether it failed at once or later: the scheme, then the permission', async () => {
    const token = `Bearer ${await jwt({ sub: 'u-alice' })}`;
    const sources: string[] = [];
    const onError = (failure: { source: string }) => void sources.push(failure.source);
    const failing = (fail: () => never) => ({ findUserByName: fail }) as never;
    const broken = (error: Error) => [
      () => {
        throw error;
      },
      () => Promise.reject(error) as never,
    ];
    for (const fail of broken(new Error('store down'))) {
      const guard = createGuard({ schemes: [basicScheme({ users: failing(fail as () => never) })], onError });
      const decision = await guard.decide(request(`Basic ${btoa('bea:bea-password')}`));
      assert.equal(decision.outcome === 'refused' && decision.refusal.reason, 'internal_error');
    }
    for (const fail of broken(new Error('policy down'))) {
      const guard = createGuard({
        schemes: [f.schemes.bearer],
        permission: { check: fail as () => never, requires: { scopes: [], roles: [] } },
        onError,
      });
      await guard.decide(request(token)); // verified once, then cached: the permission is the step that fails
      const decision = await guard.decide(request(token));
      assert.equal(decision.outcome === 'refused' && decision.refusal.reason, 'internal_error');
    }
    assert.deepStrictEqual(sources, [
      'scheme "basic"',
      'scheme "basic"',
      'permission',
      'permission',
      'permission',
      'permission',
    ]);
  });

  it('takes the scheme name in any case (RFC 9110 §11.1), and only a whole name', async () => {
    const guard = f.guard(['bearer']);
    const token = await jwt({ sub: 'u-alice' });
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const decision = await guard.decide(request(`${scheme} ${token}`));
      assert.equal(decision.outcome, 'authenticated', scheme);
    }
    const users = memoryUsers([
      { id: 'u-c', username: 'cy', passwordHash: await hashPassword('cy-password'), scopes: [], roles: [] },
    ]);
    const basic = createGuard({ schemes: [basicScheme({ users })] });
    assert.equal((await basic.decide(request(`BASIC ${btoa('cy:cy-password')}`))).outcome, 'authenticated');
    const other = await guard.decide(request(`Bearerx ${token}`));
    assert.equal(other.outcome === 'refused' && other.refusal.reason, 'scheme_unsupported');
  });

  it('revocation is still asked on every cached request, and a revoked token is refused', async () => {
    // The fixture's bearer scheme asks isRevoked against f.revoked.
    const guard = f.guard(['bearer']);
    const token = `Bearer ${await jwt({ sub: 'u-alice', jti: 'j-decide-1' })}`;
    assert.equal((await guard.decide(request(token))).outcome, 'authenticated');
    f.revoked.add('j-decide-1');
    const decision = guard.decide(request(token));
    assert.ok(!(decision instanceof Promise));
    assert.equal(decision.outcome === 'refused' && decision.refusal.reason, 'token_revoked');
  });
});

describe('malformed credentials', () => {
  const cases: Array<
    [string, Record<string, string> | Array<[string, string]>, Parameters<Guard['authenticate']>[1]?]
  > = [
    ['a Bearer without a token', { authorization: 'Bearer' }],
    ['a Bearer token with a space', { authorization: 'Bearer a b' }],
    ['"Bearer Bearer x"', { authorization: 'Bearer Bearer eyJabc' }],
    ['bad base64 in Basic', { authorization: 'Basic !!!notbase64' }],
    ['Basic without a colon', { authorization: `Basic ${Buffer.from('alice').toString('base64')}` }],
    ['no space after the scheme', { authorization: 'Bearer:abc' }],
    ['two Authorization fields joined by a proxy', { authorization: 'Bearer a, Bearer b' }],
    ['two Authorization fields as received', {}, { authorization: ['Bearer a', 'Basic YTpi'] }],
  ];
  for (const [what, headers, options] of cases) {
    it(`${what}: 400 with Bearer error="invalid_request"`, async () => {
      const answer = await ask(guard, headers, options);
      assert.equal(answer.status, 400);
      assert.equal(answer.challenge, 'Bearer realm="api", error="invalid_request"');
      assert.equal(answer.body['code'], 'credentials_malformed');
    });
  }
});

describe('a scheme the endpoint does not accept', () => {
  it('401 scheme_unsupported with the accepted schemes, never echoing what was sent', async () => {
    const answer = await ask(guard, { authorization: 'sk_live_9f8e7d6c5b4a' });
    assert.equal(answer.status, 401);
    assert.equal(answer.challenge, ALL_CHALLENGES);
    assert.equal(answer.body['code'], 'scheme_unsupported');
    assert.ok(!JSON.stringify(answer).includes('sk_live_9f8e7d6c5b4a'));
    assert.equal(
      (await ask(guard, { authorization: 'Digest username="a", realm="r", nonce="n", uri="/", response="x"' })).body[
        'code'
      ],
      'scheme_unsupported',
    );
  });
});

describe('wrong credentials', () => {
  it('a wrong password: 401 credentials_invalid; Basic challenge, no Bearer error', async () => {
    const answer = await ask(guard, { authorization: basicHeader('alice', 'not-her-password') });
    assert.equal(answer.status, 401);
    assert.equal(answer.body['code'], 'credentials_invalid');
    assert.equal(answer.challenge, ALL_CHALLENGES);
  });

  it('an unknown user looks exactly like a wrong password', async () => {
    const wrong = await ask(guard, { authorization: basicHeader('alice', 'not-her-password') });
    const unknown = await ask(guard, { authorization: basicHeader('mallory', 'not-her-password') });
    assert.deepStrictEqual(unknown, wrong);
  });

  const bearerCases: Array<[string, () => Promise<string>, string, string]> = [
    [
      'a bad signature',
      () => jwt({}, { secret: 'another-secret-of-at-least-32-bytes!!' }),
      'credentials_invalid',
      'The access token is invalid',
    ],
    [
      'an expired token',
      () => jwt({}, { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
      'token_expired',
      'The access token expired',
    ],
    [
      'a token not yet valid',
      () => jwt({}, { notBefore: Math.floor(Date.now() / 1000) + 3600 }),
      'token_not_yet_valid',
      'The access token is not valid yet',
    ],
    [
      'a token for another audience',
      () => jwt({}, { audience: 'https://other.test' }),
      'token_audience_mismatch',
      'The access token is for another audience',
    ],
    [
      'a token from another issuer',
      () => jwt({}, { issuer: 'https://evil.test' }),
      'token_issuer_mismatch',
      'The access token is from an untrusted issuer',
    ],
    ['a revoked token', () => jwt({ jti: 'revoked-jti' }), 'token_revoked', 'The access token was revoked'],
    [
      'a token with a pinned-out algorithm',
      () => jwt({}, { alg: 'HS512', secret: `${JWT_SECRET}${JWT_SECRET}` }),
      'credentials_invalid',
      'The access token is invalid',
    ],
    [
      'an unsigned token (alg none)',
      async () => unsignedJwt({ alg: 'none' }, { sub: 'x', iss: ISSUER, aud: AUDIENCE, exp: 9e9 }, ''),
      'credentials_invalid',
      'The access token is invalid',
    ],
    ['not a JWT at all', async () => 'opaque-garbage', 'credentials_invalid', 'The access token is invalid'],
  ];
  for (const [what, make, code, description] of bearerCases) {
    it(`${what}: 401 ${code}, error="invalid_token" with a description`, async () => {
      f.revoked.add('revoked-jti');
      const token = await make();
      const answer = await ask(guard, { authorization: `Bearer ${token}` });
      assert.equal(answer.status, 401);
      assert.equal(answer.body['code'], code);
      const bearer = parseChallenges(answer.challenge).find((c) => c.scheme === 'Bearer');
      assert.deepStrictEqual(bearer?.params, { realm: 'api', error: 'invalid_token', error_description: description });
      assert.ok(!JSON.stringify(answer).includes(token), 'the token is never echoed');
    });
  }

  it('says when a token expired, by the server clock', async () => {
    const exp = Math.floor(Date.now() / 1000) - 60;
    const answer = await ask(guard, { authorization: `Bearer ${await jwt({}, { expiresIn: exp })}` });
    assert.equal(
      answer.body['detail'],
      `The access token expired at ${new Date(exp * 1000).toISOString()} by the server's clock.`,
    );
  });

  it('reports the failure of the scheme the client used, whatever the configured order', async () => {
    const reversed = f.guard(['apiKey', 'basic', 'bearer']);
    for (const g of [guard, reversed]) {
      const basicAnswer = await ask(g, { authorization: basicHeader('alice', 'wrong') });
      assert.equal(basicAnswer.body['code'], 'credentials_invalid');
      assert.equal(
        parseChallenges(basicAnswer.challenge).find((c) => c.scheme === 'Bearer')?.params['error'],
        undefined,
      );
      const bearerAnswer = await ask(g, {
        authorization: `Bearer ${await jwt({}, { expiresIn: Math.floor(Date.now() / 1000) - 60 })}`,
      });
      assert.equal(bearerAnswer.body['code'], 'token_expired');
      // An API key and a bearer token at once: the bearer token's outcome is the one reported.
      const both = await ask(g, {
        authorization: `Bearer ${await jwt({}, { issuer: 'https://evil.test' })}`,
        'x-api-key': f.apiKey,
      });
      assert.equal(both.body['code'], 'token_issuer_mismatch');
    }
  });
});
