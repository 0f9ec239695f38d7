/**
 * Attacks on memory through bodies: tens of megabytes sent to every listener that reads a body
 * (protect() with a signed-request guard, idempotency(), mountFetch() with the authorization
 * server, Express protect() and mountFetch(), Fastify's plugin and mountFetch, Hono's
 * protect(), mountFetch() and idempotency()), chunked without a length, with a length that says too
 * much, and with one that lies. Each must answer 413 before the body is all sent, and the bytes
 * the server read must stay near its limit. And the client: a token endpoint that streams an
 * endless error body must not be read to its end, and servers that send thousands of cookies
 * must not grow its cookie jar past the bounds browsers keep (RFC 6265 §6.1).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createAdaptorServer } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { mountFetch as expressMountFetch, protect as expressProtect } from '../../src/adapters/express/index.ts';
import {
  mountFetch as fastifyMountFetch,
  protect as fastifyProtect,
  gatehousePlugin,
} from '../../src/adapters/fastify/index.ts';
import {
  type GatehouseVariables,
  idempotency as honoIdempotency,
  mountFetch as honoMountFetch,
  protect as honoProtect,
} from '../../src/adapters/hono/index.ts';
import { idempotency, mountFetch, protect } from '../../src/adapters/node/index.ts';
import { AuthenticationError, createClient, oauth2ClientCredentials } from '../../src/client/index.ts';
import { SIGNATURE_SCHEME } from '../../src/http/index.ts';
import {
  createAuthorizationServer,
  createGuard,
  createTokenService,
  type GatehouseStore,
  memorySigningKeys,
  openStore,
  signatureScheme,
} from '../../src/server/index.ts';
import { listen, serverPerTest, type TestServer } from '../support/server.ts';

const MB = 1_048_576;
const ATTACK_BYTES = 40 * MB;

interface Target {
  port: number;
  /** Every socket the server accepted, to count what it read. */
  sockets: Socket[];
  close(): Promise<void>;
}

function counted(server: Server): Socket[] {
  const sockets: Socket[] = [];
  server.on('connection', (socket) => sockets.push(socket));
  return sockets;
}

async function nodeTarget(listener: (req: IncomingMessage, res: ServerResponse) => unknown): Promise<Target> {
  const server = createServer((req, res) => void listener(req, res));
  const sockets = counted(server);
  const { port, close } = await listen(server);
  return { port, sockets, close };
}

let store: GatehouseStore;
const signed = () =>
  createGuard({ schemes: [signatureScheme({ keys: memorySigningKeys([{ id: 's', keyId: 'key-1', secret: 'x' }]) })] });
const SIGNED_HEADERS: Array<[string, string]> = [
  ['Authorization', `${SIGNATURE_SCHEME} keyId="key-1", timestamp="1", nonce="nonce-0123456789abcdef", signature="00"`],
  ['Content-Type', 'application/json'],
];
const FORM_HEADERS: Array<[string, string]> = [['Content-Type', 'application/x-www-form-urlencoded']];
const ORDER_HEADERS: Array<[string, string]> = [
  ['Idempotency-Key', 'k-1'],
  ['Content-Type', 'application/json'],
];

interface Listener {
  path: string;
  headers: Array<[string, string]>;
  /** The most the listener may hold (its limit). */
  limit: number;
  start(): Promise<Target>;
}

const oauth = () =>
  createAuthorizationServer({
    service: createTokenService({ store, issuer: 'https://exhaustion.test' }),
    users: store.users,
    clients: store.clients,
  });
const ok = (_req: IncomingMessage, res: ServerResponse) => res.end('{"ok":true}');

const listeners: Record<string, Listener> = {
  'protect() with a signed-request guard': {
    path: '/',
    headers: SIGNED_HEADERS,
    limit: MB,
    start: () => nodeTarget(protect(signed(), ok)),
  },
  'idempotency()': {
    path: '/orders',
    headers: ORDER_HEADERS,
    limit: MB,
    start: () => nodeTarget(idempotency({ ledger: store.idempotency }, ok)),
  },
  'mountFetch() with the authorization server': {
    path: '/oauth/token',
    headers: FORM_HEADERS,
    limit: MB,
    start: () => nodeTarget(mountFetch(oauth().handle)),
  },
  'Express protect() with a signed-request guard': {
    path: '/signed',
    headers: SIGNED_HEADERS,
    limit: MB,
    start: async () => {
      const app = express();
      app.post('/signed', expressProtect(signed()), (_req, res) => void res.json({}));
      return nodeTarget(app);
    },
  },
  'Express mountFetch()': {
    path: '/oauth/token',
    headers: FORM_HEADERS,
    limit: MB,
    start: async () => {
      const app = express();
      app.use(expressMountFetch(oauth().handle));
      return nodeTarget(app);
    },
  },
  'Fastify plugin with a signed-request guard': {
    path: '/signed',
    headers: SIGNED_HEADERS,
    limit: MB,
    start: async () => {
      const guard = signed();
      const app = Fastify();
      await app.register(gatehousePlugin, { guard });
      app.post('/signed', { preHandler: fastifyProtect(guard) }, async () => ({}));
      return fastifyTarget(app);
    },
  },
  'Fastify mountFetch()': {
    path: '/oauth/token',
    headers: FORM_HEADERS,
    limit: MB,
    start: async () => {
      const server = oauth();
      const app = Fastify();
      await app.register(fastifyMountFetch, { handler: server.handle, paths: Object.values(server.paths) });
      return fastifyTarget(app);
    },
  },
  'Hono protect() with a signed-request guard': {
    path: '/signed',
    headers: SIGNED_HEADERS,
    limit: MB,
    start: async () => {
      const app = new Hono<{ Variables: GatehouseVariables }>();
      app.post('/signed', honoProtect(signed()), (c) => c.json({}));
      return honoTarget(app);
    },
  },
  'Hono mountFetch() with the authorization server': {
    path: '/oauth/token',
    headers: FORM_HEADERS,
    limit: MB,
    start: async () => {
      const app = new Hono();
      app.use(honoMountFetch(oauth().handle));
      return honoTarget(app as unknown as Hono<{ Variables: GatehouseVariables }>);
    },
  },
  'Hono idempotency()': {
    path: '/orders',
    headers: ORDER_HEADERS,
    limit: MB,
    start: async () => {
      const app = new Hono<{ Variables: GatehouseVariables }>();
      app.post('/orders', honoIdempotency({ ledger: store.idempotency }), (c) => c.json({}));
      return honoTarget(app);
    },
  },
};

async function fastifyTarget(app: import('fastify').FastifyInstance): Promise<Target> {
  const sockets = counted(app.server);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: (await listen(app.server)).port, sockets, close: () => app.close() };
}

async function honoTarget(app: Hono<{ Variables: GatehouseVariables }>): Promise<Target> {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  const sockets = counted(server);
  const { port, close } = await listen(server);
  return { port, sockets, close };
}

interface Outcome {
  status: number | undefined;
  /** Body bytes written when the status line arrived (or when the connection closed). */
  sentWhenAnswered: number;
  head: string;
}

/**
 * Sends a head, then body bytes in 64 KiB writes (each after the last drained) until an answer
 * arrives, the connection closes, or `total` bytes were sent.
 */
function flood(port: number, head: string, total: number, chunked: boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    let sent = 0;
    let answered: Outcome | undefined;
    let received = '';
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const socket = connect(port, '127.0.0.1');
    const finish = () => {
      socket.destroy();
      resolve(answered ?? { status: undefined, sentWhenAnswered: sent, head: received });
    };
    socket.on('data', (data) => {
      received += data.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (match && !answered && received.includes('\r\n\r\n')) {
        answered = { status: Number(match[1]), sentWhenAnswered: sent, head: received.split('\r\n\r\n')[0]! };
        setTimeout(finish, 20);
      }
    });
    socket.on('error', finish);
    socket.on('close', finish);
    const pump = () => {
      while (!answered && !socket.destroyed && sent < total) {
        const piece = chunked
          ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
          : chunk;
        sent += chunk.length;
        if (!socket.write(piece)) return void socket.once('drain', pump);
      }
    };
    socket.on('connect', () => {
      socket.write(head);
      pump();
    });
  });
}

const headOf = (listener: Listener, framing: string) =>
  `POST ${listener.path} HTTP/1.1\r\nHost: api.test\r\n${listener.headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}${framing}\r\n`;

before(async () => {
  store = await openStore('memory:');
});
after(() => store.close());

describe('exhaustion: every body Gatehouse reads is limited while it streams', () => {
  for (const [name, listener] of Object.entries(listeners)) {
    for (const [framing, head, chunked] of [
      ['chunked, no Content-Length', 'Transfer-Encoding: chunked\r\n', true],
      ['a Content-Length of 40 MB, sent', `Content-Length: ${ATTACK_BYTES}\r\n`, false],
    ] as const) {
      it(`${name}: ${framing}: 413 before the body is all sent, the bytes read stay bounded`, async () => {
        const target = await listener.start();
        try {
          const outcome = await flood(target.port, headOf(listener, head), ATTACK_BYTES, chunked);
          assert.equal(outcome.status, 413, `${name}: ${outcome.head}`);
          assert.ok(outcome.sentWhenAnswered < ATTACK_BYTES, `answered only after all ${ATTACK_BYTES} bytes`);
          await new Promise((r) => setTimeout(r, 200));
          const read = Math.max(...target.sockets.map((s) => s.bytesRead));
          // The limit, and what the kernel and Node buffer beyond it; nowhere near the 40 MB sent.
          assert.ok(read < listener.limit + 8 * MB, `the server read ${(read / MB).toFixed(1)} MB`);
          // And it goes on serving.
          const next = await fetch(`http://127.0.0.1:${target.port}${listener.path}`, {
            method: 'POST',
            headers: Object.fromEntries(listener.headers),
            body: 'x=1',
          });
          assert.ok(next.status < 500, `the next request answered ${next.status}`);
        } finally {
          await target.close();
        }
      });
    }
  }

  it('the playground: a chunked 40 MB body to an echoing route is 413 before it is all sent', async () => {
    const { startPlayground } = await import('../../src/playground/serve.ts');
    const playground = await startPlayground();
    try {
      const outcome = await flood(
        Number(new URL(playground.url).port),
        'POST /anything HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n',
        ATTACK_BYTES,
        true,
      );
      assert.equal(outcome.status, 413, outcome.head);
      assert.ok(outcome.sentWhenAnswered < ATTACK_BYTES);
    } finally {
      await playground.close();
    }
  });

  it('a Content-Length that lies (10 bytes declared, megabytes sent) is answered and the rest is not read as a body', async () => {
    const target = await listeners['mountFetch() with the authorization server']!.start();
    try {
      const outcome = await flood(
        target.port,
        headOf(listeners['mountFetch() with the authorization server']!, 'Content-Length: 10\r\n'),
        ATTACK_BYTES,
        false,
      );
      assert.ok(outcome.status !== undefined && outcome.status < 500, outcome.head);
      assert.ok(outcome.sentWhenAnswered < ATTACK_BYTES);
    } finally {
      await target.close();
    }
  });

  // The mounts hold the body for the handler: the authorization server's own 16 KiB must apply
  // while it streams, not the mount's generic 1 MiB (or a stalled client holds 1 MiB each).
  for (const name of [
    'mountFetch() with the authorization server',
    'Express mountFetch()',
    'Fastify mountFetch()',
    'Hono mountFetch() with the authorization server',
  ]) {
    it(`${name}: a form that declares 1 MiB and stalls is refused 413 at once, by the endpoint's own limit`, async () => {
      const target = await listeners[name]!.start();
      const socket = connect(target.port, '127.0.0.1');
      try {
        const answer = await new Promise<string>((resolve, reject) => {
          let received = '';
          const timer = setTimeout(
            () => reject(new Error(`no answer in 3 s; received ${JSON.stringify(received)}`)),
            3000,
          );
          socket.on('data', (chunk) => {
            received += chunk.toString('latin1');
            if (received.includes('\r\n\r\n')) {
              clearTimeout(timer);
              resolve(received);
            }
          });
          socket.on('error', reject);
          socket.write(
            `POST /oauth/token HTTP/1.1\r\nHost: api.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${MB}\r\n\r\ngrant_type=password&pad=`,
          );
          socket.write('a'.repeat(1024)); // then nothing more
        });
        assert.match(answer, /^HTTP\/1\.1 413 /, answer.split('\r\n')[0]);
      } finally {
        socket.destroy();
        await target.close();
      }
    });
  }

  it('the token endpoint answers 413 body_too_large from the catalogue for a form past its 16 KiB', async () => {
    const target = await listeners['mountFetch() with the authorization server']!.start();
    try {
      const response = await fetch(`http://127.0.0.1:${target.port}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=password&pad=${'a'.repeat(20_000)}`,
      });
      assert.equal(response.status, 413);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
      assert.equal(((await response.json()) as { code: string }).code, 'body_too_large');
    } finally {
      await target.close();
    }
  });
});

describe('exhaustion: the client reads at most an excerpt of an endless error body', () => {
  it('a token endpoint that streams an error body forever: the error arrives, the connection is closed', async () => {
    let written = 0;
    let closed = false;
    const server = createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.write('{"error":"invalid_client","error_description":"');
      const line = 'x'.repeat(16 * 1024);
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        written += line.length;
        res.write(line);
      }, 1);
      res.on('close', () => {
        closed = true;
        clearInterval(timer);
      });
    });
    const { url, close } = await listen(server);
    try {
      const source = oauth2ClientCredentials({
        tokenUrl: `${url}/token`,
        clientId: 'svc',
        clientSecret: 'svc-secret',
      });
      const started = Date.now();
      const error = await source.getToken().then(
        () => assert.fail('a token from an error body'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof AuthenticationError, String(error));
      assert.ok(Date.now() - started < 5_000, 'the error arrived at once');
      assert.ok((error.bodyExcerpt ?? '').length <= 400, 'an excerpt, not the body');
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(closed, 'the client closed the connection');
      assert.ok(written < 16 * MB, `the server got to write ${(written / MB).toFixed(1)} MB`);
    } finally {
      await close();
    }
  });
});

describe("exhaustion: servers cannot grow the client's cookie jar without bound", () => {
  const serve = serverPerTest();
  /** A server that sets `perAnswer` new cookies on every answer, and echoes the Cookie field it got at /echo. */
  const cookieFlood = (perAnswer: number, host = '127.0.0.1'): Promise<TestServer> =>
    serve(
      (req, res, _body, index) => {
        if (req.url === '/echo') return void res.end(req.headers.cookie ?? '');
        const fresh = Array.from({ length: perAnswer }, (_, n) => `c${index}_${n}=v; Path=/`);
        res.writeHead(200, { 'set-cookie': fresh }).end();
      },
      { host },
    );
  const names = (cookie: string) => (cookie === '' ? [] : cookie.split('; ').map((pair) => pair.split('=')[0]!));

  it('one host sending 100 new cookies on each of 300 answers: the client keeps and sends back the newest 50', async () => {
    const flood = await cookieFlood(100);
    const client = createClient({ baseUrl: flood.url, cookies: true, retry: false, throwHttpErrors: false });
    for (let call = 0; call < 300; call++) await client.get('flood');
    const answer = await client.get('echo');
    assert.equal(answer.status, 200, 'the Cookie field the client sent is within what a server reads');
    const sent = names(await answer.text());
    assert.equal(sent.length, 50, `the client sent back ${sent.length} cookies`);
    // The least recently used go first: the last answer's are those kept.
    assert.deepStrictEqual(sent.toSorted(), Array.from({ length: 50 }, (_, n) => `c299_${n + 50}`).toSorted());
  });

  it('one host sending 100 new cookies on each of 300 answers, each under a path of its own: the newest 50 are kept', async () => {
    // Cookies under other paths are not sent back on the next call, so nothing stops the flood but the jar.
    const flood = await serve((req, res, _body, index) => {
      if (req.url !== '/flood') return void res.end(req.headers.cookie ?? '');
      const fresh = Array.from({ length: 100 }, (_, n) => `c${index}_${n}=${'v'.repeat(40)}; Path=/p${index}_${n}`);
      res.writeHead(200, { 'set-cookie': fresh }).end();
    });
    const client = createClient({ baseUrl: flood.url, cookies: true, retry: false, throwHttpErrors: false });
    for (let call = 0; call < 300; call++) await client.get('flood');
    const sentTo = async (path: string) => names(await (await client.get(path)).text());
    for (const n of [50, 75, 99]) assert.deepStrictEqual(await sentTo(`p299_${n}`), [`c299_${n}`]);
    for (const [answer, n] of [
      [299, 49],
      [150, 0],
      [0, 0],
    ])
      assert.deepStrictEqual(await sentTo(`p${answer}_${n}`), [], `c${answer}_${n} was kept`);
  });

  it('64 hosts sending 60 cookies each: the client keeps 3000 in all, 50 a host, the least recently used go first', async () => {
    const hosts = await Promise.all(Array.from({ length: 64 }, (_, n) => cookieFlood(60, `127.0.0.${n + 1}`)));
    const client = createClient({ cookies: true, retry: false, throwHttpErrors: false });
    const echo = async (host: TestServer) => names(await (await client.get(`${host.url}echo`)).text()).length;
    for (const host of hosts.slice(0, 60)) await client.get(`${host.url}flood`);
    // The first host is called again (its cookies sent) before the last four fill the jar past 3000.
    assert.equal(await echo(hosts[0]!), 50);
    for (const host of hosts.slice(60)) await client.get(`${host.url}flood`);
    const kept: number[] = [];
    for (const host of hosts) kept.push(await echo(host));
    assert.equal(
      kept.reduce((a, b) => a + b, 0),
      3000,
      `the client sent back ${kept.join(' ')}`,
    );
    assert.deepStrictEqual(kept.slice(0, 6), [50, 0, 0, 0, 0, 50], 'the hosts used least recently lost theirs');
    assert.ok(
      kept.every((n) => n <= 50),
      kept.join(' '),
    );
  });

  it('a cookie longer than 4096 bytes is ignored; one of 4096 is kept', async () => {
    const big = await serve((req, res) => {
      if (req.url === '/echo') return void res.end(req.headers.cookie ?? '');
      res.writeHead(200, { 'set-cookie': [`big=${'x'.repeat(4093)}`, `fits=${'y'.repeat(4091)}`] }).end();
    });
    const client = createClient({ baseUrl: big.url, cookies: true, retry: false, throwHttpErrors: false });
    await client.get('set');
    assert.deepStrictEqual(names(await (await client.get('echo')).text()), ['fits']);
  });
});
