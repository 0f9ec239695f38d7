/**
 * A DPoP proof made for another server (RFC 9449 §4.3 point 9: htu names the URL the proof is for)
 * must not be accepted here. Without `publicBaseUrl` the expected htu is this request's URL, put
 * together from what the request says; an absolute-form request-target (RFC 9112 §3.2.2) names an
 * authority, never the security of the connection it came on, so a proof for https://other-api
 * sent in plain http as `GET https://other-api.example/me` is refused, on every adapter.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer, request as tlsRequest } from 'node:https';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { mountFetch as expressMountFetch } from '../../src/adapters/express/index.ts';
import { mountFetch as fastifyMountFetch } from '../../src/adapters/fastify/index.ts';
import { mountFetch as honoMountFetch } from '../../src/adapters/hono/index.ts';
import { mountFetch, protect } from '../../src/adapters/node/index.ts';
import {
  type AuthorizationServer,
  createAuthorizationServer,
  createGuard,
  createTokenService,
  type GatehouseStore,
  openStore,
  type TokenService,
} from '../../src/server/index.ts';
import {
  type App,
  expressApp,
  fastifyApp,
  honoApp,
  honoHandlerApp,
  nodeApp,
  serveHono,
} from '../support/adapter-apps.ts';
import { type ProofKey, proof, proofKey } from '../support/dpop-world.ts';
import { exchange, request } from '../support/raw-http.ts';
import { selfSignedCertificate } from '../support/self-signed.ts';
import { listen } from '../support/server.ts';

const SVC_SECRET = 'svc-secret-0123456789abcdef';

/** The authorization server's handler mounted by each adapter's mountFetch, on a plain-http loopback listener. */
const MOUNTS: Record<string, (server: AuthorizationServer) => Promise<App>> = {
  node: (server) => listen(createServer(mountFetch(server.handle))),
  express: (server) => {
    const app = express();
    app.use(expressMountFetch(server.handle));
    return listen(createServer(app));
  },
  fastify: async (server) => {
    const app = Fastify();
    await app.register(fastifyMountFetch, { handler: server.handle, paths: Object.values(server.paths) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { ...(await listen(app.server)), close: () => app.close() };
  },
  hono: (server) => {
    const app = new Hono();
    app.use(honoMountFetch(server.handle));
    return serveHono(app);
  },
};

const APIS = { node: nodeApp, express: expressApp, fastify: fastifyApp, hono: honoApp, honoHandler: honoHandlerApp };

describe('a DPoP proof made for another server, sent here in absolute-form', () => {
  let store: GatehouseStore;
  let service: TokenService;
  let server: AuthorizationServer;
  let key: ProofKey;
  let token: string;
  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.clients.putClient({
      clientId: 'svc',
      secretHash: createHash('sha256').update(SVC_SECRET).digest('hex'),
      grants: ['client_credentials'],
      scopes: ['read'],
    });
    service = createTokenService({ store, issuer: 'https://auth.test' });
    server = createAuthorizationServer({
      service,
      users: store.users,
      clients: store.clients,
      dpop: { nonces: store.nonces },
    });
    key = await proofKey();
    token = (await service.issue({ id: 'u-alice' }, { clientId: 'web', scope: 'read', jkt: key.jkt })).access_token;
  });
  after(() => store.close());

  const port = (app: App) => Number(new URL(app.url).port);

  for (const [name, make] of Object.entries(APIS)) {
    it(`${name}: a plain-http API refuses GET https://other-api.example/me (absolute-form) with a proof for that URL: 400, never 200`, async () => {
      const guard = createGuard({ schemes: [service.dpopScheme(undefined, { nonces: store.nonces })] });
      const app = await make(guard);
      try {
        const stolen = await proof(key, { htm: 'GET', htu: 'https://other-api.example/me', accessToken: token });
        const answer = await exchange(
          port(app),
          request('GET', 'https://other-api.example/me', [
            ['Host', 'other-api.example'],
            ['Authorization', `DPoP ${token}`],
            ['DPoP', stolen],
          ]),
        );
        assert.equal(answer.status, 400, `the proof for another server opened the API: ${answer.head}\n${answer.body}`);
        assert.equal(JSON.parse(answer.body).code, 'request_invalid');
        assert.match(JSON.parse(answer.body).detail, /scheme/);
      } finally {
        await app.close();
      }
    });

    it(`${name}: an absolute-form target whose scheme is the connection's is still served`, async () => {
      const guard = createGuard({ schemes: [service.dpopScheme(undefined, { nonces: store.nonces })] });
      const app = await make(guard);
      try {
        const target = `${app.url}/me`;
        const fresh = await proof(key, { htm: 'GET', htu: target, accessToken: token });
        const answer = await exchange(
          port(app),
          request('GET', target, [
            ['Host', new URL(app.url).host],
            ['Authorization', `DPoP ${token}`],
            ['DPoP', fresh],
          ]),
        );
        assert.equal(answer.status, 200, `${answer.head}\n${answer.body}`);
        assert.equal(JSON.parse(answer.body).id, 'u-alice');
      } finally {
        await app.close();
      }
    });
  }

  for (const [name, mount] of Object.entries(MOUNTS)) {
    it(`${name}: a plain-http token endpoint refuses a proof for https://other-auth.example/oauth/token sent in absolute-form`, async () => {
      const app = await mount(server);
      try {
        const htu = 'https://other-auth.example/oauth/token';
        const answer = await exchange(
          port(app),
          request(
            'POST',
            htu,
            [
              ['Host', 'other-auth.example'],
              ['Content-Type', 'application/x-www-form-urlencoded'],
              ['Authorization', `Basic ${Buffer.from(`svc:${SVC_SECRET}`).toString('base64')}`],
              ['DPoP', await proof(key, { htm: 'POST', htu })],
            ],
            'grant_type=client_credentials&scope=read',
          ),
        );
        assert.equal(answer.status, 400, `a DPoP-bound token was issued on another server's proof: ${answer.body}`);
        assert.equal(JSON.parse(answer.body).code, 'request_invalid');
      } finally {
        await app.close();
      }
    });
  }
  it('node over TLS: an absolute-form http:// target (a proof made for a plain-http server) is refused 400', async () => {
    const { cert, key: tlsKey } = selfSignedCertificate();
    const guard = createGuard({ schemes: [service.dpopScheme(undefined, { nonces: store.nonces })] });
    const handler = protect(guard, (req, res) => res.end(JSON.stringify({ id: req.auth.id })));
    const tls = createTlsServer(
      { cert: readFileSync(cert), key: readFileSync(tlsKey) },
      (req, res) => void handler(req, res),
    );
    const app = await listen(tls as unknown as Server);
    try {
      const target = 'http://other-api.example/me';
      const headers = {
        authorization: `DPoP ${token}`,
        dpop: await proof(key, { htm: 'GET', htu: target, accessToken: token }),
      };
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        // node:https sends `path` as it is: the request line carries the absolute-form target.
        const sent = tlsRequest(
          { host: '127.0.0.1', port: app.port, path: target, headers, ca: readFileSync(cert) },
          (res) => {
            let body = '';
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        sent.on('error', reject);
        sent.end();
      });
      assert.equal(answer.status, 400, answer.body);
      assert.equal(JSON.parse(answer.body).code, 'request_invalid');
    } finally {
      await app.close();
    }
  });
});
