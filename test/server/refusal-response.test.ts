/**
 * A refusal's answer: one challenge per accepted scheme, the problem body from the catalogue (or
 * FastAPI/DRF's `{"detail": …}`), quoted values escaped, Retry-After and no-store, no secret echoed.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createGuard, type Guard, parseChallenges } from '../../src/server/index.ts';
import { ALL_CHALLENGES, ask, basicHeader, type Fixture, fixture, jwt } from '../support/guard-fixture.ts';

let f: Fixture;
let guard: Guard;
before(async () => {
  f = await fixture();
  guard = f.guard(['bearer', 'basic', 'apiKey']);
});

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

  it('sends the RateLimit and RateLimit-Policy fields of the limit that refused', () => {
    const response = guard.refusalResponse({
      reason: 'locked_out',
      retryAfterMs: 29_001,
      rateLimit: { policy: 'login_pair', quota: 5, windowSeconds: 900, remaining: 0, resetSeconds: 30 },
    });
    assert.equal(response.headers.get('ratelimit-policy'), '"login_pair";q=5;w=900');
    assert.equal(response.headers.get('ratelimit'), '"login_pair";r=0;t=30');
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
