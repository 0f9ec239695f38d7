/**
 * Attacks on the key source: a JWKS that cannot be had must never make a valid token look bad.
 * A real loopback JWKS server refuses connections, hangs past the timeout, answers 500, answers
 * garbage, answers JSON that is no key set, then recovers. While it fails, a correctly signed
 * token gets 503 keys_unavailable with Retry-After and one log line naming the key source (its
 * URL without a secret); never a 401. Once it recovers, the same token gets 200. A token whose
 * kid the JWKS lacks, or whose signature does not verify, stays the token's problem: 401.
 * The same holds for the token service's own keys, kept in its store: a store that fails while
 * the guard looks a key up (Postgres pool ended, SQLite closed) is 503 keys_unavailable.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { protect } from '../../src/adapters/node/index.ts';
import { bearerScheme, createGuard, type ServerFailure } from '../../src/server/index.ts';
import { createTokenService } from '../../src/server/tokens/token-service.ts';
import { openStore } from '../../src/stores/open-store.ts';
import type { GatehouseStore } from '../../src/stores/types.ts';
import { dropSchema, POSTGRES_URL, requirePostgres, runSchema } from '../support/services.ts';

type Mode = 'ok' | 'hang' | '500' | 'garbage' | 'not-a-key-set';

describe('key source: an unreachable JWKS is the server’s failure (503), never a bad token (401)', () => {
  let mode: Mode = 'ok';
  let jwksPort = 0;
  let jwks: Server;
  let api: Server;
  let apiUrl = '';
  let token = '';
  let otherKid = '';
  let badSignature = '';
  const failures: ServerFailure[] = [];
  let publicJwk: Record<string, unknown> = {};

  const startJwks = (port = 0) =>
    new Promise<void>((resolve) => {
      jwks = createServer((_req, res) => {
        if (mode === 'hang') return; // never answers
        if (mode === '500') return void res.writeHead(500).end('oops');
        if (mode === 'garbage') return void res.writeHead(200, { 'content-type': 'application/json' }).end('<html>');
        if (mode === 'not-a-key-set')
          return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":"none"}');
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
      });
      jwks.listen(port, '127.0.0.1', () => {
        jwksPort = (jwks.address() as AddressInfo).port;
        resolve();
      });
    });
  const stopJwks = () =>
    new Promise<void>((resolve) => {
      jwks.closeAllConnections();
      jwks.close(() => resolve());
    });

  before(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    publicJwk = { ...(await exportJWK(publicKey)), kid: 'k-1', alg: 'ES256', use: 'sig' };
    const sign = (kid: string, key = privateKey) =>
      new SignJWT({ scope: 'read' })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setSubject('u-1')
        .setIssuer('https://issuer.test')
        .setAudience('https://api.test')
        .setExpirationTime('10m')
        .sign(key);
    token = await sign('k-1');
    otherKid = await sign('k-unknown');
    badSignature = await sign('k-1', (await generateKeyPair('ES256')).privateKey);
    await startJwks();
    // A secret in the JWKS URL's query (some providers put a key there) must not reach the log.
    const guard = createGuard({
      schemes: [
        bearerScheme({
          jwt: {
            jwks: `http://127.0.0.1:${jwksPort}/jwks.json?api_key=jwks-secret-123`,
            algorithms: ['ES256'],
            issuer: 'https://issuer.test',
            audience: 'https://api.test',
            jwksTimeoutMs: 300,
            cache: false,
          },
        }),
      ],
      onError: (failure) => failures.push(failure),
    });
    api = createServer(protect(guard, (req, res) => res.end(JSON.stringify({ id: req.auth?.id }))));
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/`;
  });
  after(async () => {
    api.closeAllConnections();
    await new Promise((r) => api.close(r));
    await stopJwks().catch(() => {});
  });

  const call = (bearer: string) => fetch(apiUrl, { headers: { authorization: `Bearer ${bearer}` } });

  async function assertKeysUnavailable(what: string): Promise<void> {
    const seen = failures.length;
    const response = await call(token);
    const body = (await response.json()) as { code: string };
    assert.equal(response.status, 503, `${what}: ${JSON.stringify(body)}`);
    assert.equal(body.code, 'keys_unavailable');
    assert.match(response.headers.get('retry-after') ?? '', /^\d+$/);
    assert.equal(response.headers.get('www-authenticate'), null, 'no challenge: the credentials are not in question');
    assert.equal(failures.length - seen, 1, `${what}: one failure reported`);
    const failure = failures.at(-1)!;
    assert.equal(failure.reason, 'keys_unavailable');
    assert.equal(failure.source, `http://127.0.0.1:${jwksPort}/jwks.json`);
    assert.doesNotMatch(JSON.stringify(body), /jwks-secret|127\.0\.0\.1/);
  }

  it('(a) the JWKS refuses connections: 503 keys_unavailable with Retry-After, and the key source named', async () => {
    await stopJwks();
    await assertKeysUnavailable('refused');
  });

  it('(b) the JWKS hangs past the timeout: 503, answered within the timeout', async () => {
    mode = 'hang';
    await startJwks(jwksPort);
    const started = Date.now();
    await assertKeysUnavailable('hanging');
    assert.ok(Date.now() - started < 3_000, `took ${Date.now() - started} ms`);
  });

  it('(c) the JWKS answers 500: 503', async () => {
    mode = '500';
    await assertKeysUnavailable('500');
  });

  it('(d) the JWKS answers garbage, or JSON that is no key set: 503', async () => {
    mode = 'garbage';
    await assertKeysUnavailable('garbage');
    mode = 'not-a-key-set';
    await assertKeysUnavailable('not a key set');
  });

  it('the default log line names the key source without its query, and holds no token', async () => {
    const lines: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
    try {
      const guard = createGuard({
        schemes: [
          bearerScheme({
            jwt: {
              jwks: `http://127.0.0.1:1/keys?api_key=jwks-secret-123`,
              algorithms: ['ES256'],
              audience: 'https://api.test',
              cache: false,
            },
          }),
        ],
      });
      const decision = await guard.authenticate(
        new Request('http://api.test/', { headers: { authorization: `Bearer ${token}` } }),
      );
      assert.equal(decision.outcome === 'refused' && decision.refusal.reason, 'keys_unavailable');
    } finally {
      console.error = original;
    }
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /keys_unavailable .*http:\/\/127\.0\.0\.1:1\/keys/);
    assert.doesNotMatch(lines[0]!, /jwks-secret|eyJ/);
  });

  it('(e) the JWKS recovers: the same token gets 200; a kid it lacks and a bad signature stay 401', async () => {
    mode = 'ok';
    const response = await call(token);
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepStrictEqual(await response.json(), { id: 'u-1' });
    const seen = failures.length;
    for (const bad of [otherKid, badSignature]) {
      const refused = await call(bad);
      assert.equal(refused.status, 401);
      assert.equal(((await refused.json()) as { code: string }).code, 'credentials_invalid');
    }
    assert.equal(failures.length, seen, 'a bad token is no server failure');
  });
});

/** Two services on one store: the issuer's instance stays up; the API's loses its store. */
const KEY_STORES: {
  name: string;
  open(): Promise<{ url: string; options?: { namespace: string }; drop(): Promise<void> }>;
}[] = [
  {
    name: 'SQLite',
    async open() {
      return { url: `sqlite:${join(mkdtempSync(join(tmpdir(), 'gh-keys-')), 'keys.db')}`, drop: async () => {} };
    },
  },
  {
    name: 'Postgres',
    async open() {
      const schema = runSchema('keystore');
      return { url: POSTGRES_URL, options: { namespace: schema }, drop: () => dropSchema(schema) };
    },
  },
];

for (const kind of KEY_STORES) {
  describe(`key source: the token service's key store (${kind.name}) failing at the guard is 503, never 401`, () => {
    let issuerStore: GatehouseStore;
    let apiStore: GatehouseStore;
    const servers: Server[] = [];
    let liveUrl = '';
    let downUrl = '';
    let token = '';
    let unknownKid = '';
    let drop = async () => {};
    const failures: ServerFailure[] = [];
    let skipped = false;

    const serve = async (store: GatehouseStore) => {
      const service = createTokenService({ store, issuer: 'https://issuer.test' });
      const guard = createGuard({ schemes: [service.bearerScheme()], onError: (failure) => failures.push(failure) });
      const api = createServer(protect(guard, (req, res) => res.end(JSON.stringify({ id: req.auth?.id }))));
      servers.push(api);
      await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(api.address() as AddressInfo).port}/`;
    };

    before(async (t) => {
      if (kind.name === 'Postgres' && !(await requirePostgres(t))) {
        skipped = true;
        return;
      }
      const opened = await kind.open();
      drop = opened.drop;
      issuerStore = await openStore(opened.url, opened.options);
      apiStore = await openStore(opened.url, opened.options);
      const issuer = createTokenService({ store: issuerStore, issuer: 'https://issuer.test' });
      token = await issuer.signAccessToken(
        { id: 'u-1', roles: [] },
        { clientId: 'c-1', scope: 'read', expiresAt: Date.now() + 600_000 },
      );
      // Signed by a key this store never held: its kid is unknown here.
      const stranger = createTokenService({ store: await openStore('memory:'), issuer: 'https://issuer.test' });
      unknownKid = await stranger.signAccessToken(
        { id: 'u-1', roles: [] },
        { clientId: 'c-1', scope: 'read', expiresAt: Date.now() + 600_000 },
      );
      assert.notEqual(decodeProtectedHeader(unknownKid).kid, decodeProtectedHeader(token).kid);
      liveUrl = await serve(issuerStore);
      // A second instance of the API, whose store connection is gone before its first request.
      downUrl = await serve(apiStore);
    });
    after(async () => {
      if (skipped) return;
      for (const api of servers) {
        api.closeAllConnections();
        await new Promise((r) => api.close(r));
      }
      await issuerStore.close();
      await drop();
    });

    const call = (url: string, bearer: string) => fetch(url, { headers: { authorization: `Bearer ${bearer}` } });

    it('with the store up: the token 200, a kid the store lacks 401, nothing reported', async (t) => {
      if (skipped) return t.skip('no Postgres');
      const ok = await call(liveUrl, token);
      assert.equal(ok.status, 200, await ok.clone().text());
      const refused = await call(liveUrl, unknownKid);
      assert.equal(refused.status, 401);
      assert.equal(((await refused.json()) as { code: string }).code, 'credentials_invalid');
      assert.equal(failures.length, 0);
    });

    it('the store fails while the key is looked up: 503 keys_unavailable, Retry-After, one report', async (t) => {
      if (skipped) return t.skip('no Postgres');
      await apiStore.close();
      for (const bearer of [token, unknownKid]) {
        const seen = failures.length;
        const response = await call(downUrl, bearer);
        const body = (await response.json()) as { code: string };
        assert.equal(response.status, 503, JSON.stringify(body));
        assert.equal(body.code, 'keys_unavailable');
        assert.match(response.headers.get('retry-after') ?? '', /^\d+$/);
        assert.equal(response.headers.get('www-authenticate'), null);
        assert.equal(failures.length - seen, 1, 'one failure reported');
        assert.equal(failures.at(-1)!.reason, 'keys_unavailable');
        assert.match(failures.at(-1)!.source, /key store/);
        assert.doesNotMatch(JSON.stringify(body), /eyJ/);
      }
    });
  });
}
