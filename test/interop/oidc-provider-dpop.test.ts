/**
 * The Gatehouse client's DPoP (RFC 9449) against oidc-provider (an OpenID Certified authorization
 * server nobody here wrote) and a Gatehouse resource server: dpop() proofs at oidc-provider's token
 * endpoint bring a JWT access token bound to the key (`token_type: DPoP`, `cnf.jkt`), which
 * Gatehouse's dpopScheme accepts with the key's proofs only, verified against oidc-provider's
 * jwks_uri. What oidc-provider does, read from lib/helpers/validate_dpop.js: with a `nonceSecret`
 * and `requireNonce`, a proof without a nonce gets 400 `use_dpop_nonce` and a `DPoP-Nonce` header;
 * every answer to a proof carries the next nonce when it differs from the one sent.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { protect } from '../../src/adapters/node/index.ts';
import { bearer, createClient, dpop, memoryTokenStore, oauth2ClientCredentials } from '../../src/client/index.ts';
import { createGuard, dpopScheme } from '../../src/server/index.ts';
import { type OidcProviderServer, startOidcProvider } from '../support/oidc-provider-server.ts';
import { type Listening, listen } from '../support/server.ts';

const SECRET = 'service-secret-value';

interface World {
  as: OidcProviderServer;
  resource: string;
  /** Every request that reached the token endpoint: whether it carried a nonce in its proof. */
  tokenCalls: Array<{ nonce: boolean }>;
  apiCalls: number;
  close(): Promise<void>;
}

/** oidc-provider, and GET /api/* behind Gatehouse's dpopScheme trusting oidc-provider's JWKS. */
async function world(options: { asNonces: boolean; rsNonces: boolean }): Promise<World> {
  let handle: (req: IncomingMessage, res: ServerResponse) => unknown = (_req, res) => res.end();
  const rs: Listening = await listen(createServer((req, res) => void handle(req, res)));
  const resource = `${rs.url}/api`;
  const as = await startOidcProvider({ resource, dpopNonces: options.asNonces });
  const guard = createGuard({
    schemes: [
      dpopScheme({
        jwt: {
          jwks: `${as.issuer}/jwks`,
          algorithms: ['ES256'],
          issuer: as.issuer,
          audience: resource,
          typ: 'at+jwt',
        },
        proof: { nonce: options.rsNonces },
      }),
    ],
  });
  const w: World = {
    as,
    resource,
    tokenCalls: [],
    apiCalls: 0,
    close: async () => {
      await rs.close();
      await as.close();
    },
  };
  const api = protect(guard, (req, res) => res.end(JSON.stringify({ sub: req.auth?.id, scheme: req.auth?.scheme })));
  handle = (req, res) => {
    w.apiCalls += 1;
    return api(req, res);
  };
  return w;
}

/** The token source, counting what reaches the token endpoint through the real fetch. */
function source(w: World, key: ReturnType<typeof dpop>) {
  return oauth2ClientCredentials({
    tokenUrl: `${w.as.issuer}/token`,
    clientId: 'service',
    clientSecret: SECRET,
    scope: 'api:read',
    extraParams: { resource: w.resource },
    store: memoryTokenStore(),
    dpop: key,
    fetch: (input, init) => {
      const proof =
        new Headers(init?.headers).get('dpop') ?? (input instanceof Request ? input.headers.get('dpop') : null);
      w.tokenCalls.push({ nonce: proof !== null && 'nonce' in decodeJwt(proof) });
      return fetch(input, init);
    },
  });
}

describe('the Gatehouse client against oidc-provider with DPoP (no nonces)', () => {
  let w: World;
  before(async () => {
    w = await world({ asNonces: false, rsNonces: false });
  });
  after(() => w?.close());

  it('gets a DPoP-bound token, calls the Gatehouse API with it, and a proof of another key is refused', async () => {
    const key = dpop();
    const tokens = source(w, key);
    const token = await tokens.getToken();
    assert.equal(token.tokenType, 'DPoP');
    const claims = decodeJwt(token.accessToken);
    assert.deepEqual(claims.cnf, { jkt: await key.thumbprint() });
    assert.equal(claims.aud, w.resource);
    assert.deepEqual(w.tokenCalls, [{ nonce: false }], 'one token request, its proof taken as it was');

    const client = createClient({ auth: bearer(tokens, { dpop: key }) });
    const response = await client.get(`${w.resource}/me`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { sub: 'service', scheme: 'dpop' });

    // The token stolen and sent with a proof of the thief's own key (RFC 9449 §7.1, §4.3 point 12).
    const thief = dpop();
    const url = new URL(`${w.resource}/me`);
    const stolen = await fetch(url, {
      headers: { authorization: `DPoP ${token.accessToken}`, dpop: await thief.proof('GET', url, token.accessToken) },
    });
    assert.equal(stolen.status, 401);
    const challenge = stolen.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^DPoP /);
    assert.match(challenge, /error="invalid_token"/);
    assert.doesNotMatch(challenge + (await stolen.text()), new RegExp(token.accessToken.slice(-20)));

    // Nor may it travel as a plain bearer token.
    const asBearer = await fetch(url, { headers: { authorization: `Bearer ${token.accessToken}` } });
    assert.equal(asBearer.status, 401);
  });

  it('oidc-provider refuses a proof it has seen already (jti replay) at its token endpoint', async () => {
    const key = dpop();
    const url = new URL(`${w.as.issuer}/token`);
    const proof = await key.proof('POST', url);
    const send = (dpopProof = proof) =>
      fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${btoa(`service:${SECRET}`)}`,
          'content-type': 'application/x-www-form-urlencoded',
          dpop: dpopProof,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api:read', resource: w.resource }),
      });
    const first = await send();
    assert.equal(first.status, 200);
    assert.equal(((await first.json()) as { token_type: string }).token_type, 'DPoP');
    const again = await send();
    // oidc-provider 9.13 answers a replayed jti with a bare invalid_grant (validate_dpop.js
    // checkDpopReplay keeps "Replay detected" out of the answer).
    assert.equal(again.status, 400);
    assert.equal(((await again.json()) as { error: string }).error, 'invalid_grant');
    assert.equal((await send(await key.proof('POST', url))).status, 200, 'a fresh proof of the same key is taken');
  });
});

describe('the Gatehouse client against oidc-provider with DPoP nonces required', () => {
  let w: World;
  before(async () => {
    w = await world({ asNonces: true, rsNonces: true });
  });
  after(() => w?.close());

  it('answers use_dpop_nonce from oidc-provider and from the API with exactly one retry each', async () => {
    const key = dpop();
    const tokens = source(w, key);
    const token = await tokens.getToken();
    assert.equal(token.tokenType, 'DPoP');
    assert.deepEqual(decodeJwt(token.accessToken).cnf, { jkt: await key.thumbprint() });
    assert.deepEqual(w.tokenCalls, [{ nonce: false }, { nonce: true }], 'refused for want of a nonce, then one retry');

    const client = createClient({ auth: bearer(tokens, { dpop: key }) });
    const response = await client.get(`${w.resource}/me`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { sub: 'service', scheme: 'dpop' });
    assert.equal(w.apiCalls, 2, 'a 401 use_dpop_nonce, then the call again with the nonce');

    // The nonces are remembered per origin: a second token request needs no retry.
    const again = source(w, key);
    await again.getToken();
    assert.deepEqual(w.tokenCalls.slice(2), [{ nonce: true }]);
  });
});
