import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { createGuard, type Guard, parseChallenges, requireRoles, requireScopes } from '../../src/server/index.ts';
import { AUDIENCE, basicHeader, type Fixture, fixture, ISSUER, JWT_SECRET, jwt } from '../support/guard-fixture.ts';
import { unsignedJwt } from '../support/jwt.ts';

let f: Fixture;
let guard: Guard;
before(async () => {
  f = await fixture();
  guard = f.guard(['bearer', 'basic', 'apiKey']);
});

interface Answer {
  status: number;
  challenge: string | null;
  type: string | null;
  body: Record<string, unknown>;
  principal?: string;
}

async function ask(
  g: Guard,
  headers: Record<string, string> | Array<[string, string]> = {},
  options: Parameters<Guard['authenticate']>[1] & { method?: string; url?: string } = {},
): Promise<Answer> {
  const { method = 'GET', url = 'http://api.test/things', ...rest } = options;
  const decision = await g.authenticate(new Request(url, { method, headers }), rest);
  if (decision.outcome === 'authenticated')
    return { status: 200, challenge: null, type: null, body: {}, principal: decision.principal.id };
  if (decision.outcome === 'preflight') return { status: 204, challenge: null, type: null, body: {} };
  const response = g.refusalResponse(decision.refusal);
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    type: response.headers.get('content-type'),
    body: await response.json(),
  };
}

const ALL_CHALLENGES = 'Bearer realm="api", Basic realm="api", charset="UTF-8", ApiKey realm="api", header="X-API-Key"';

describe('no credentials', () => {
  it('401 with one challenge per accepted scheme, realm everywhere, charset on Basic, no error (RFC 6750 §3.1)', async () => {
    const answer = await ask(guard);
    assert.equal(answer.status, 401);
    assert.equal(answer.challenge, ALL_CHALLENGES);
    assert.equal(answer.type, 'application/problem+json');
    assert.equal(answer.body['code'], 'credentials_missing');
    assert.equal(answer.body['status'], 401);
    assert.equal(answer.body['type'], 'https://gatehouse.dev/reasons/credentials_missing');
    assert.ok(String(answer.body['hint']).length > 10);
    assert.match(String(answer.body['detail']), /Send credentials: Bearer, Basic, ApiKey/);
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

describe('authorization', () => {
  it('a token without the needed scope: 403 insufficient_scope with scope="…", never 401', async () => {
    const answer = await ask(
      guard,
      { authorization: `Bearer ${await jwt({ scope: 'read' })}` },
      { permission: requireScopes('admin', 'read') },
    );
    assert.equal(answer.status, 403);
    assert.equal(answer.challenge, 'Bearer realm="api", error="insufficient_scope", scope="admin read"');
    assert.equal(answer.body['code'], 'insufficient_scope');
    assert.equal(answer.body['scope'], 'admin read');
  });

  it('a Basic user without the scope also gets 403 insufficient_scope', async () => {
    const answer = await ask(
      guard,
      { authorization: basicHeader('alice', 'alice-password-1') },
      { permission: requireScopes('admin') },
    );
    assert.equal(answer.status, 403);
    assert.equal(answer.body['code'], 'insufficient_scope');
  });

  it('without a role: 403 forbidden, no challenge', async () => {
    const answer = await ask(
      guard,
      { authorization: basicHeader('alice', 'alice-password-1') },
      { permission: requireRoles('admin') },
    );
    assert.equal(answer.status, 403);
    assert.equal(answer.challenge, null);
    assert.equal(answer.body['code'], 'forbidden');
    assert.equal(answer.body['detail'], 'This needs role "admin".');
  });

  it('with everything needed: the principal', async () => {
    const answer = await ask(
      guard,
      { authorization: basicHeader('admin', 'admin-password-1') },
      { permission: requireScopes('admin') },
    );
    assert.deepStrictEqual([answer.status, answer.principal], [200, 'u-admin']);
    const viaToken = await ask(
      guard,
      { authorization: `Bearer ${await jwt({ sub: 'user-9', scope: 'read admin' })}` },
      { permission: requireScopes('admin') },
    );
    assert.deepStrictEqual([viaToken.status, viaToken.principal], [200, 'user-9']);
  });
});

describe('API keys', () => {
  it('accepts a live key, records its use, refuses a wrong, malformed or expired one', async () => {
    assert.equal((await ask(guard, { 'x-api-key': f.apiKey })).principal, 'svc-reports');
    assert.ok(f.keys.lastUsed.size === 1);
    const tampered = `${f.apiKey.slice(0, -2)}xx`;
    for (const key of [tampered, 'not-a-key', f.apiKey.toUpperCase()]) {
      const answer = await ask(guard, { 'x-api-key': key });
      assert.deepStrictEqual([answer.status, answer.body['code']], [401, 'credentials_invalid']);
    }
    const expired = await ask(guard, { 'x-api-key': f.expiredApiKey });
    assert.equal(expired.status, 401);
    assert.match(String(expired.body['detail']), /expired at .*ask for a new one/);
  });
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

describe('responses', () => {
  it('offers the FastAPI/DRF {"detail": …} shape for clients that expect it', async () => {
    const g = f.guard(['bearer'], { body: 'detail' });
    const answer = await ask(g);
    assert.equal(answer.type, 'application/json');
    assert.deepStrictEqual(Object.keys(answer.body), ['detail']);
    assert.equal(answer.challenge, 'Bearer realm="api"');
  });

  it('escapes every quoted value', async () => {
    const g = createGuard({ realm: 'the "quoted" \\ realm', schemes: [f.schemes.basic] });
    const answer = await ask(g);
    assert.equal(answer.challenge, 'Basic realm="the \\"quoted\\" \\\\ realm", charset="UTF-8"');
    assert.deepStrictEqual(parseChallenges(answer.challenge)[0]?.params['realm'], 'the "quoted" \\ realm');
  });

  it('sends Retry-After for rate_limited and locked_out, and no-store everywhere', () => {
    const response = guard.refusalResponse({ reason: 'locked_out', retryAfterMs: 29_001 });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '30');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('www-authenticate'), null);
  });

  it('never echoes a password, token or key in a header or body', async () => {
    const secrets = ['alice-password-1-wrong', await jwt({}, { issuer: 'https://evil.test' }), `${f.apiKey}zz`];
    const answers = [
      await ask(guard, { authorization: basicHeader('alice', secrets[0]!) }),
      await ask(guard, { authorization: `Bearer ${secrets[1]}` }),
      await ask(guard, { 'x-api-key': secrets[2]! }),
      await ask(guard, { authorization: `Bearer ${secrets[1]} extra` }),
    ];
    const text = JSON.stringify(answers);
    for (const secret of secrets) assert.ok(!text.includes(secret));
  });

  it('never refuses a CORS preflight for lack of credentials', async () => {
    const answer = await ask(
      guard,
      {
        origin: 'https://app.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
      { method: 'OPTIONS' },
    );
    assert.equal(answer.status, 204);
    // A plain OPTIONS is no preflight.
    assert.equal((await ask(guard, {}, { method: 'OPTIONS' })).status, 401);
  });
});

describe('configuration', () => {
  it('refuses a JWT scheme without pinned algorithms, with "none", or with a short HMAC secret', async () => {
    const { bearerScheme } = await import('../../src/server/index.ts');
    assert.throws(() => bearerScheme({ jwt: { key: JWT_SECRET, algorithms: [] } }), /algorithms is required/);
    assert.throws(() => bearerScheme({ jwt: { key: JWT_SECRET, algorithms: ['none'] } }), /"none"/);
    assert.throws(() => bearerScheme({ jwt: { key: 'short', algorithms: ['HS256'] } }), /at least 32 bytes/);
  });

  it('a verified token is remembered, but never past its exp', async () => {
    const { bearerScheme } = await import('../../src/server/index.ts');
    const g = createGuard({
      schemes: [
        bearerScheme({
          jwt: { key: JWT_SECRET, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, clockTolerance: 0 },
        }),
      ],
    });
    const token = await jwt({}, { expiresIn: Math.floor(Date.now() / 1000) + 1 });
    assert.equal((await ask(g, { authorization: `Bearer ${token}` })).status, 200);
    assert.equal((await ask(g, { authorization: `Bearer ${token}` })).status, 200);
    await new Promise((r) => setTimeout(r, 1100 + (1000 - (Date.now() % 1000))));
    assert.equal((await ask(g, { authorization: `Bearer ${token}` })).body['code'], 'token_expired');
  });

  it('rejects a guard without schemes', () => {
    assert.throws(() => createGuard({ schemes: [] }), { code: 'ERR_GATEHOUSE_INVALID_ARGUMENT' });
  });

  it('describes itself for OpenAPI 3.1', async () => {
    const doc = guard.openapi(requireScopes('admin'));
    assert.deepStrictEqual(doc.securitySchemes, {
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      basic: { type: 'http', scheme: 'basic' },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    });
    assert.deepStrictEqual(doc.security, [{ bearer: ['admin'] }, { basic: [] }, { apiKey: [] }]);
  });

  it("verifies against an issuer's JWKS URL, and refuses a kid it does not list", async () => {
    const { exportJWK, generateKeyPair } = await import('jose');
    const { startServer, json } = await import('../support/server.ts');
    const { bearerScheme } = await import('../../src/server/index.ts');
    const known = await generateKeyPair('ES256');
    const stranger = await generateKeyPair('ES256');
    const jwks = { keys: [{ ...(await exportJWK(known.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] };
    const issuer = await startServer((_req, res) => json(res, 200, jwks));
    try {
      const g = createGuard({
        schemes: [
          bearerScheme({
            jwt: { jwks: `${issuer.url}.well-known/jwks.json`, algorithms: ['ES256'], audience: AUDIENCE },
          }),
        ],
      });
      const sign = (key: CryptoKey, kid: string) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'ES256', kid })
          .setSubject('jwks-user')
          .setAudience(AUDIENCE)
          .setExpirationTime('5m')
          .sign(key);
      assert.equal(
        (await ask(g, { authorization: `Bearer ${await sign(known.privateKey, 'k1')}` })).principal,
        'jwks-user',
      );
      const unknown = await ask(g, { authorization: `Bearer ${await sign(stranger.privateKey, 'k2')}` });
      assert.deepStrictEqual([unknown.status, unknown.body['code']], [401, 'credentials_invalid']);
      assert.equal(unknown.body['detail'], 'No key of the issuer matches the access token (kid).');
    } finally {
      await issuer.close();
    }
  });

  it('a JWT signed with an asymmetric key verifies against a public key', async () => {
    const { generateKeyPair } = await import('jose');
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const { bearerScheme } = await import('../../src/server/index.ts');
    const g = createGuard({
      schemes: [bearerScheme({ jwt: { key: publicKey, algorithms: ['ES256'], issuer: ISSUER, audience: AUDIENCE } })],
    });
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('es-user')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(privateKey);
    assert.equal((await ask(g, { authorization: `Bearer ${token}` })).principal, 'es-user');
    // HS/ES confusion: an HS256 token cannot pass an ES256-only scheme.
    assert.equal((await ask(g, { authorization: `Bearer ${await jwt()}` })).body['code'], 'credentials_invalid');
  });
});
