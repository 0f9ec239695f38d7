/**
 * DPoP end to end over a loopback server (RFC 9449): the token endpoint binds tokens to the proof's
 * key, the DPoP scheme accepts them only with a fresh proof of that key, and refuses a stolen token,
 * a replayed proof, a bound token sent as Bearer, and proofs for another URL, method or time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { type Challenge, parseChallenges, reasons } from '../../../src/http/index.ts';
import { bearerScheme, dpopScheme, type Refusal } from '../../../src/server/index.ts';
import { type DpopWorld, dpopWorld, type ProofKey, proof, proofKey } from '../../support/dpop-world.ts';
import { post } from '../../support/token-world.ts';

describe('DPoP (RFC 9449) through the authorization server and the guard', () => {
  let w: DpopWorld;
  let key: ProofKey;
  before(async () => {
    w = await dpopWorld();
    key = await proofKey();
  });
  after(() => w.close());

  const tokenUrl = () => `${w.url}/oauth/token`;
  const login = async (k: ProofKey = key) =>
    post(
      tokenUrl(),
      { grant_type: 'password', client_id: 'web', username: 'alice', password: 'alice-password-1' },
      { dpop: await proof(k, { htm: 'POST', htu: tokenUrl() }) },
    );
  const api = (token: string, headers: Record<string, string>) =>
    fetch(`${w.url}/api/me?x=1`, { headers: { authorization: `DPoP ${token}`, ...headers } });
  const apiProof = (token: string, k: ProofKey = key, extra = {}) =>
    proof(k, { htm: 'GET', htu: `${w.url}/api/me`, accessToken: token, ...extra });

  it('a token request with a proof gets token_type DPoP and an access token bound to the key (cnf.jkt)', async () => {
    const { status, body } = await login();
    assert.equal(status, 200);
    assert.equal(body.token_type, 'DPoP');
    assert.deepEqual(decodeJwt(body.access_token).cnf, { jkt: key.jkt });
    // A public client's refresh token is bound too (RFC 9449 §5).
    assert.match(body.refresh_token, new RegExp(`\\.${key.jkt}$`));
  });

  it('a resource request with the token and a fresh proof of its key is served, with the query ignored in htu', async () => {
    const { access_token } = (await login()).body;
    const response = await api(access_token, { dpop: await apiProof(access_token) });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { id: 'u-alice', scheme: 'dpop' });
  });

  it('a stolen token replayed with a proof of another key is refused (dpop_binding_mismatch)', async () => {
    const { access_token } = (await login()).body;
    const thief = await proofKey();
    const response = await api(access_token, { dpop: await apiProof(access_token, thief) });
    assert.equal(response.status, 401);
    assert.equal((await response.json()).code, 'dpop_binding_mismatch');
    assert.match(
      response.headers.get('www-authenticate') ?? '',
      /DPoP realm="[^"]*", algs="ES256 EdDSA Ed25519", error="invalid_token"/,
    );
  });

  it('a proof used twice is refused the second time (jti replay cache)', async () => {
    const { access_token } = (await login()).body;
    const once = await apiProof(access_token);
    assert.equal((await api(access_token, { dpop: once })).status, 200);
    const again = await api(access_token, { dpop: once });
    assert.equal(again.status, 401);
    assert.equal((await again.json()).code, 'dpop_proof_invalid');
    assert.match(again.headers.get('www-authenticate') ?? '', /error="invalid_dpop_proof"/);
  });

  it('a DPoP-bound token sent as Bearer is refused (RFC 9449 §7.1), and one without a proof', async () => {
    const { access_token } = (await login()).body;
    const bearer = await fetch(`${w.url}/api/me`, { headers: { authorization: `Bearer ${access_token}` } });
    assert.equal(bearer.status, 401);
    assert.equal((await bearer.json()).code, 'dpop_binding_mismatch');
    const bare = await api(access_token, {});
    assert.equal(bare.status, 401);
    assert.equal((await bare.json()).code, 'dpop_proof_invalid');
  });

  it('refuses a proof for another URL, another method, an old iat, another token, or with a bad typ or alg', async () => {
    const { access_token } = (await login()).body;
    const now = Math.floor(Date.now() / 1000);
    const wrong = [
      await apiProof(access_token, key, { htu: `${w.url}/api/other` }),
      await apiProof(access_token, key, { htu: `https://elsewhere.test/api/me` }),
      await apiProof(access_token, key, { htm: 'POST' }),
      await apiProof(access_token, key, { iat: now - 120 }),
      await apiProof(access_token, key, { iat: now + 120 }),
      await apiProof(access_token, key, { accessToken: `${access_token}x` }),
      await apiProof(access_token, key, { typ: 'JWT' }),
    ];
    for (const dpop of wrong) {
      const response = await api(access_token, { dpop });
      assert.equal(response.status, 401);
      assert.equal((await response.json()).code, 'dpop_proof_invalid');
    }
    // Two DPoP fields are refused, each valid on its own.
    const two = await api(access_token, { dpop: `${await apiProof(access_token)}, ${await apiProof(access_token)}` });
    assert.equal((await two.json()).code, 'dpop_proof_invalid');
  });

  it('a token request with a bad proof is refused with invalid_dpop_proof (400)', async () => {
    const { status, body } = await post(
      tokenUrl(),
      { grant_type: 'password', client_id: 'web', username: 'alice', password: 'alice-password-1' },
      { dpop: await proof(key, { htm: 'GET', htu: tokenUrl() }) },
    );
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_dpop_proof');
  });

  it('a bound refresh token needs a proof of its key; a refresh keeps the binding', async () => {
    const { refresh_token } = (await login()).body;
    const form = { grant_type: 'refresh_token', client_id: 'web', refresh_token };
    const bare = await post(tokenUrl(), form);
    assert.equal(bare.body.error, 'invalid_dpop_proof');
    const thief = await post(tokenUrl(), form, {
      dpop: await proof(await proofKey(), { htm: 'POST', htu: tokenUrl() }),
    });
    assert.equal(thief.body.error, 'invalid_grant');
    // Neither attempt used the token up: its holder refreshes with its key.
    const own = await post(tokenUrl(), form, { dpop: await proof(key, { htm: 'POST', htu: tokenUrl() }) });
    assert.equal(own.status, 200);
    assert.equal(own.body.token_type, 'DPoP');
    assert.deepEqual(decodeJwt(own.body.access_token).cnf, { jkt: key.jkt });
    assert.match(own.body.refresh_token, new RegExp(`\\.${key.jkt}$`));
  });

  it('a token request without a proof still gets a Bearer token, which the bearer scheme takes', async () => {
    const { body } = await post(tokenUrl(), {
      grant_type: 'password',
      client_id: 'web',
      username: 'alice',
      password: 'alice-password-1',
    });
    assert.equal(body.token_type, 'Bearer');
    const response = await fetch(`${w.url}/api/me`, { headers: { authorization: `Bearer ${body.access_token}` } });
    assert.equal(response.status, 200);
    // And it is not accepted as DPoP, even with a valid proof.
    const asDpop = await api(body.access_token, { dpop: await apiProof(body.access_token) });
    assert.equal((await asDpop.json()).code, 'dpop_binding_mismatch');
  });

  it('a confidential client gets a bound access token; the metadata lists the proof algorithms', async () => {
    const { body } = await post(
      tokenUrl(),
      { grant_type: 'client_credentials', client_id: 'svc', client_secret: 'svc-secret-0123456789abcdef' },
      { dpop: await proof(key, { htm: 'POST', htu: tokenUrl() }) },
    );
    assert.equal(body.token_type, 'DPoP');
    const metadata = await (await fetch(`${w.url}/.well-known/oauth-authorization-server`)).json();
    assert.deepEqual(metadata.dpop_signing_alg_values_supported, ['ES256', 'EdDSA', 'Ed25519']);
  });
});

describe('DPoP server nonces (RFC 9449 §8, §9)', () => {
  let w: DpopWorld;
  let key: ProofKey;
  const secret = 'nonce-secret-of-at-least-32-bytes!!';
  before(async () => {
    w = await dpopWorld({ nonce: { secret } }, { nonce: { secret } });
    key = await proofKey();
  });
  after(() => w.close());

  it('the token endpoint answers use_dpop_nonce with a DPoP-Nonce; the proof with it is accepted', async () => {
    const tokenUrl = `${w.url}/oauth/token`;
    const form = { grant_type: 'password', client_id: 'web', username: 'alice', password: 'alice-password-1' };
    const first = await post(tokenUrl, form, { dpop: await proof(key, { htm: 'POST', htu: tokenUrl }) });
    assert.equal(first.status, 400);
    assert.equal(first.body.error, 'use_dpop_nonce');
    const nonce = first.headers.get('dpop-nonce')!;
    assert.ok(nonce);
    const second = await post(tokenUrl, form, { dpop: await proof(key, { htm: 'POST', htu: tokenUrl, nonce }) });
    assert.equal(second.status, 200);
    const token = second.body.access_token;

    const api = async (n?: string) =>
      fetch(`${w.url}/api/me`, {
        headers: {
          authorization: `DPoP ${token}`,
          dpop: await proof(key, { htm: 'GET', htu: `${w.url}/api/me`, accessToken: token, nonce: n }),
        },
      });
    const refused = await api();
    assert.equal(refused.status, 401);
    assert.equal((await refused.json()).code, 'dpop_nonce_required');
    assert.match(refused.headers.get('www-authenticate') ?? '', /DPoP .*error="use_dpop_nonce"/);
    const rsNonce = refused.headers.get('dpop-nonce')!;
    assert.equal((await api(rsNonce)).status, 200);
    assert.equal((await api('0.forged')).status, 401);
  });
});

describe('DPoP nonces rotated: the newest in the answer that accepts the one before (RFC 9449 §8.2, §9)', () => {
  let w: DpopWorld;
  let key: ProofKey;
  const page = 'https://app.example';
  // A nonce lives 1 s here (300 s by default): the server rotates within the test, and a proof
  // sent up to a lifetime after its nonce arrived is still accepted, however loaded the machine.
  const nonce = { secret: 'rotating-nonce-secret-of-32-bytes!!', lifetimeSeconds: 1 };
  before(async () => {
    w = await dpopWorld({ nonce }, { nonce }, { cors: { origins: [page] } });
    key = await proofKey();
  });
  after(() => w.close());
  const tokenUrl = () => `${w.url}/oauth/token`;
  const form = { grant_type: 'password', client_id: 'web', username: 'alice', password: 'alice-password-1' };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /**
   * Sends `send(nonce)` every 50 ms, each time with the nonce last received, until an answer
   * brings a new one (the server rotated: it does within two lifetimes); every answer on the way.
   */
  async function untilRotated<R extends { status: number; headers: Headers }>(
    first: string,
    send: (nonce: string) => Promise<R>,
  ): Promise<{ answers: R[]; next: string }> {
    const answers: R[] = [];
    for (let i = 0; i < 80; i++) {
      const answer = await send(first);
      answers.push(answer);
      const next = answer.headers.get('dpop-nonce');
      if (next !== null) return { answers, next };
      await sleep(50);
    }
    throw new Error('the server never rotated its nonce in 4 s');
  }

  it('the token endpoint: a 200 to a proof with the previous nonce carries the newest in DPoP-Nonce', async () => {
    const refused = await post(tokenUrl(), form, { dpop: await proof(key, { htm: 'POST', htu: tokenUrl() }) });
    assert.equal(refused.body.error, 'use_dpop_nonce');
    const first = refused.headers.get('dpop-nonce')!;
    const { answers, next } = await untilRotated(first, async (n) =>
      post(tokenUrl(), form, { dpop: await proof(key, { htm: 'POST', htu: tokenUrl(), nonce: n }) }),
    );
    // Every proof with the nonce it had was accepted: the last one while the server had moved on.
    assert.deepEqual(
      answers.map((a) => a.status),
      answers.map(() => 200),
    );
    assert.notEqual(next, first);
    assert.equal(answers.at(-1)!.headers.get('cache-control'), 'no-store');
    const withNewest = await post(tokenUrl(), form, {
      dpop: await proof(key, { htm: 'POST', htu: tokenUrl(), nonce: next }),
    });
    assert.equal(withNewest.status, 200);
    // A client that sent the newest is told nothing more (or a newer one, if it rotated meanwhile).
    assert.notEqual(withNewest.headers.get('dpop-nonce'), next);
  });

  it('the API: a 200 to a proof with the previous nonce carries the newest, no-store, readable by the page', async () => {
    const first = (
      await post(tokenUrl(), form, { dpop: await proof(key, { htm: 'POST', htu: tokenUrl() }) })
    ).headers.get('dpop-nonce')!;
    const token = (
      await post(tokenUrl(), form, { dpop: await proof(key, { htm: 'POST', htu: tokenUrl(), nonce: first }) })
    ).body.access_token;
    const api = async (n: string) =>
      fetch(`${w.url}/api/me`, {
        headers: {
          origin: page,
          authorization: `DPoP ${token}`,
          dpop: await proof(key, { htm: 'GET', htu: `${w.url}/api/me`, accessToken: token, nonce: n }),
        },
      });
    const { answers, next } = await untilRotated(first, api);
    assert.deepEqual(
      answers.map((a) => a.status),
      answers.map(() => 200),
    );
    const rotated = answers.at(-1)!;
    assert.notEqual(next, first);
    assert.equal(rotated.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await rotated.json(), { id: 'u-alice', scheme: 'dpop' }, 'the handler answered as ever');
    // A browser page reads DPoP-Nonce only when the answer exposes it (Fetch standard, CORS).
    assert.match(rotated.headers.get('access-control-expose-headers') ?? '', /(^|, )DPoP-Nonce(,|$)/i);
    const withNewest = await api(next);
    assert.equal(withNewest.status, 200);
    assert.notEqual(withNewest.headers.get('dpop-nonce'), next);
    assert.equal(w.nonceRefusals.api, 0, 'no API request was refused for its nonce');
  });
});

describe("a DPoP guard's refusals: the same challenge parameters as Bearer's, hints true for the guard", () => {
  let w: DpopWorld;
  let key: ProofKey;
  before(async () => {
    w = await dpopWorld();
    key = await proofKey();
  });
  after(() => w.close());

  const tokenUrl = () => `${w.url}/oauth/token`;
  const form = { grant_type: 'password', client_id: 'web', username: 'alice', password: 'alice-password-1' };
  const boundToken = async () =>
    (await post(tokenUrl(), form, { dpop: await proof(key, { htm: 'POST', htu: tokenUrl() }) })).body.access_token;
  const unboundToken = async () => (await post(tokenUrl(), form)).body.access_token;
  const call = async (path: string, scheme: 'DPoP' | 'Bearer', token: string) => {
    const headers: Record<string, string> = { authorization: `${scheme} ${token}` };
    if (scheme === 'DPoP')
      headers['dpop'] = await proof(key, { htm: 'GET', htu: `${w.url}${path}`, accessToken: token });
    const response = await fetch(`${w.url}${path}`, { headers });
    const challenges = parseChallenges(response.headers.get('www-authenticate'));
    return { status: response.status, body: await response.json(), challenges };
  };

  it('step-up (RFC 9470 §3): the DPoP challenge names the error, acr_values and max_age', async () => {
    const { status, body, challenges } = await call('/api/step-up', 'DPoP', await boundToken());
    assert.equal(status, 401);
    assert.equal(body.code, 'insufficient_user_authentication');
    assert.deepEqual(
      challenges.map((c) => c.scheme),
      ['DPoP'],
    );
    const { params } = challenges[0]!;
    assert.equal(params['error'], 'insufficient_user_authentication');
    assert.equal(params['acr_values'], 'mfa');
    assert.equal(params['max_age'], '300');
    assert.equal(params['algs'], 'ES256 EdDSA Ed25519');
  });

  it('insufficient_scope: 403 with the DPoP challenge naming the scope', async () => {
    const { status, challenges } = await call('/api/admin', 'DPoP', await boundToken());
    assert.equal(status, 403);
    assert.equal(challenges[0]?.params['error'], 'insufficient_scope');
    assert.equal(challenges[0]?.params['scope'], 'admin');
  });

  it('an unbound token sent as DPoP to a DPoP-only guard is not told to use Bearer, which that guard refuses', async () => {
    const token = await unboundToken();
    const { status, body } = await call('/api/dpop-only', 'DPoP', token);
    assert.equal(status, 401);
    assert.equal(body.code, 'dpop_binding_mismatch');
    assert.doesNotMatch(body.detail, /Bearer/);
    assert.match(body.detail, /DPoP proof/);
    // As the detail says: Bearer is no way in here.
    assert.equal((await call('/api/dpop-only', 'Bearer', token)).body.code, 'scheme_unsupported');
    // Where Bearer is accepted, the detail says to use it.
    assert.match((await call('/api/me', 'DPoP', token)).body.detail, /send it as "Authorization: Bearer"/);
  });

  it('a bound token sent to a Bearer-only guard is not told to use DPoP; the challenge says what the body says', async () => {
    const token = await boundToken();
    const { status, body, challenges } = await call('/api/bearer-only', 'Bearer', token);
    assert.equal(status, 401);
    assert.equal(body.code, 'dpop_binding_mismatch');
    assert.doesNotMatch(body.detail, /Authorization: DPoP/);
    assert.match(body.detail, /without a DPoP proof/);
    // The catalogue's hint, in every such body, holds for a guard of either scheme.
    assert.match(body.hint, /an unbound one as Bearer/);
    assert.equal(challenges[0]?.params['error'], 'invalid_token');
    assert.match(challenges[0]?.params['error_description'] ?? '', /bound to a DPoP key/);
    assert.match((await call('/api/me', 'Bearer', token)).body.detail, /send it as "Authorization: DPoP"/);
  });

  // RFC 6750 §3 (whose error_description the DPoP challenge uses, RFC 9449 §7.1) and RFC 6749 §5.2:
  // an error_description holds only %x20-21 / %x23-5B / %x5D-7E, so no quote, no backslash, nothing
  // past ASCII. Found by the newcomer: the section sign of "RFC 9449 §5" went out as a raw 0xA7 byte
  // in WWW-Authenticate, and typ "dpop+jwt" as an escaped quote, in challenges and token errors.
  it('every error_description, of a challenge and of the token endpoint, holds only RFC 6749 §5.2 characters', async () => {
    const allowed = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;
    const described: string[] = [];
    const challenge = async (path: string, headers: Record<string, string>) => {
      const response = await fetch(`${w.url}${path}`, { headers });
      const challenges = parseChallenges(response.headers.get('www-authenticate'));
      described.push(challenges.find((c) => c.params['error_description'])?.params['error_description'] ?? '');
    };
    const bound = await boundToken();
    const unbound = await unboundToken();
    const dpopCall = async (path: string, token: string, extra: object = {}) => ({
      authorization: `DPoP ${token}`,
      dpop: await proof(key, { htm: 'GET', htu: `${w.url}${path}`, accessToken: token, ...extra }),
    });
    await challenge('/api/dpop-only', await dpopCall('/api/dpop-only', unbound)); // RFC 9449 §5 in the detail
    await challenge('/api/me', await dpopCall('/api/me', unbound)); // "Authorization: Bearer"
    await challenge('/api/bearer-only', { authorization: `Bearer ${bound}` }); // the Bearer scheme's own words
    await challenge('/api/me', { authorization: `Bearer ${bound}` }); // the same, beside a DPoP challenge
    await challenge('/api/me', await dpopCall('/api/me', bound, { typ: 'JWT' })); // typ "dpop+jwt"
    const badTyp = await post(tokenUrl(), form, {
      dpop: await proof(key, { htm: 'POST', htu: tokenUrl(), typ: 'JWT' }),
    });
    const login = await post(tokenUrl(), form, { dpop: await proof(key, { htm: 'POST', htu: tokenUrl() }) });
    const unproved = await post(tokenUrl(), {
      grant_type: 'refresh_token',
      client_id: 'web',
      refresh_token: login.body.refresh_token,
    });
    described.push(badTyp.body.error_description, unproved.body.error_description);
    assert.equal(described.length, 7);
    for (const description of described) assert.match(description, allowed);
  });

  it('every reason of the catalogue gets the same challenge parameters from the DPoP scheme as from Bearer', () => {
    const jwt = { key: new Uint8Array(32).fill(7), algorithms: ['HS256'] as const, issuer: 'https://i', audience: 'a' };
    const schemes = { bearer: bearerScheme({ jwt: { ...jwt } }), dpop: dpopScheme({ jwt: { ...jwt } }) };
    // RFC 9449 §7.1: the DPoP scheme's own proof errors have codes of their own.
    const dpopOwn: Record<string, string> = {
      dpop_proof_invalid: 'invalid_dpop_proof',
      dpop_nonce_required: 'use_dpop_nonce',
    };
    const shared = (challenge: Challenge | undefined) => {
      const { algs: _algs, error_description: _description, ...params } = challenge!.params;
      return params;
    };
    for (const reason of Object.keys(reasons) as Refusal['reason'][]) {
      const extra = { scope: ['admin'], acrValues: ['mfa', 'hwk'], maxAge: 300 };
      // A refusal of the guard or a permission, then one of each scheme's own verification.
      const bare = { reason, ...extra };
      assert.deepEqual(shared(schemes.dpop.challenge('r', bare)), shared(schemes.bearer.challenge('r', bare)), reason);
      const dpop = shared(schemes.dpop.challenge('r', { ...bare, scheme: 'dpop', detail: 'd' }));
      const bearer = shared(schemes.bearer.challenge('r', { ...bare, scheme: 'bearer', detail: 'd' }));
      assert.deepEqual(dpop, dpopOwn[reason] ? { ...bearer, error: dpopOwn[reason] } : bearer, reason);
    }
  });
});
