/**
 * The package's declarations as a consumer's compiler reads them: the tarball installed into an
 * empty project, and code that imports its entries compiled with `skipLibCheck` off (the
 * compiler's default), by the repository's own tsc. The optional peers (pg, ioredis, express,
 * fastify, undici) are absent unless a project below adds them: an entry compiles without them
 * unless the peer is what the entry is for (express for /express and so on).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { installInEmptyProject, MANIFEST, packPackage, ROOT, registrySkip } from '../support/packed-package.ts';

const STRICT = {
  target: 'es2023',
  module: 'nodenext',
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  noEmit: true,
};

/** A Node project: @types/node, no DOM lib, none of the optional peers. */
const NODE_PROJECT = `
import { parseChallenges } from 'gatehouse-http';
import { bearer, createClient } from 'gatehouse-http/client';
import { fileTokenStore } from 'gatehouse-http/client/file-store';
import { loopbackLogin } from 'gatehouse-http/client/loopback-login';
import { redisTokenStore } from 'gatehouse-http/client/redis-store';
import { diagnose } from 'gatehouse-http/doctor';
import { type GatehouseEnv, protect as honoProtect } from 'gatehouse-http/hono';
import { protect } from 'gatehouse-http/node';
import { basicScheme, createGuard, createLoginProtection, memoryUsers, openStore } from 'gatehouse-http/server';
import { postgresStore } from 'gatehouse-http/stores/postgres';
import { redisDenyList, redisNonces } from 'gatehouse-http/stores/redis';
import { sqliteStore } from 'gatehouse-http/stores/sqlite';
import { Hono } from 'hono';

const guard = createGuard({ realm: 'api', schemes: [basicScheme({ users: memoryUsers() })] });
const app = new Hono<GatehouseEnv>();
app.get('/me', honoProtect(guard), (c) => {
  const id: string | undefined = c.get('auth')?.id;
  // @ts-expect-error c.get('auth') is a Principal, not any
  const wrong: number | undefined = c.get('auth')?.id;
  return c.json({ id, wrong });
});
const store = await openStore('sqlite:./gatehouse.db');
const counted = await createLoginProtection({ backend: { sqlite: store.database } });
const client = createClient({ baseUrl: 'https://api.example/', headers: { accept: 'application/json' }, auth: bearer('t') });
await client.post('orders', { body: JSON.stringify({ sku: 1 }) });
const signIn = () => loopbackLogin({ issuer: 'https://auth.example', clientId: 'cli', scope: 'read', timeoutMs: 60_000 });
export const used = [parseChallenges, signIn, fileTokenStore, redisTokenStore, diagnose, protect, postgresStore, redisDenyList, redisNonces, sqliteStore, counted];
`;

/** A browser or edge project: the DOM lib, no @types/node, the entries that run there. */
const WEB_PROJECT = `
import { parseChallenges } from 'gatehouse-http';
import { bearer, createClient } from 'gatehouse-http/client';
import { bearerScheme, createGuard } from 'gatehouse-http/server';
import { type GatehouseEnv, protect } from 'gatehouse-http/hono';
import { Hono } from 'hono';

const guard = createGuard({ schemes: [bearerScheme({ opaque: { verify: async () => undefined } })] });
const app = new Hono<GatehouseEnv>().get('/me', protect(guard), (c) => c.json({ id: c.get('auth')?.id }));
export const used = [parseChallenges, createClient({ auth: bearer('t') }), app];
`;

/** A project with the peers: the entries that exist for them, and the real clients handed over. */
const PEERS_PROJECT = `
import express from 'express';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Agent } from 'undici';
import { createClient } from 'gatehouse-http/client';
import { redisTokenStore } from 'gatehouse-http/client/redis-store';
import { undiciTransport } from 'gatehouse-http/client/undici';
import { protect } from 'gatehouse-http/express';
import { gatehousePlugin, protect as fastifyProtect } from 'gatehouse-http/fastify';
import { basicScheme, createGuard, createLoginProtection, memoryUsers } from 'gatehouse-http/server';
import { redisDenyList, redisNonces } from 'gatehouse-http/stores/redis';

const guard = createGuard({ realm: 'api', schemes: [basicScheme({ users: memoryUsers() })] });
const app = express();
app.get('/me', protect(guard), (req, res) => {
  res.json({ id: req.auth?.id });
});
app.get('/typed', (req, res) => {
  // @ts-expect-error req.auth is a Principal, not any
  const wrong: number | undefined = req.auth?.id;
  res.json({ wrong });
});
const fastify = Fastify();
await fastify.register(gatehousePlugin, { guard });
fastify.get('/me', { preHandler: fastifyProtect(guard) }, async (request) => ({ id: request.auth?.id }));
const redis = new Redis();
export const used = [
  createClient({ fetch: undiciTransport({ dispatcher: new Agent() }) }),
  redisTokenStore(redis),
  redisDenyList(redis),
  redisNonces(redis),
  await createLoginProtection({ backend: { redis } }),
  await createLoginProtection({ backend: { postgres: new pg.Pool() } }),
];
`;

/** Every entry the manifest exports, each imported whole: every declaration it reaches is compiled. */
const EVERY_ENTRY = Object.keys(MANIFEST.exports)
  .filter((key) => key !== './package.json')
  .map((key, i) => `import type * as entry${i} from 'gatehouse-http${key.slice(1)}';\nexport type { entry${i} };\n`)
  .join('');

/** The peers' types, linked from the repository's node_modules into the project. */
const PEER_TYPES = ['@types/express', 'fastify', 'ioredis', '@types/pg', 'undici'];

/** Links `names` from the repository's node_modules into the project's. */
function link(project: string, names: readonly string[]): void {
  for (const name of names) {
    const target = join(project, 'node_modules', name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), target);
  }
}

/** tsc over `file` in `project` with `options`; what it printed, and its exit code. */
function compile(project: string, file: string, options: Record<string, unknown>) {
  const config = `tsconfig.${file}.json`;
  writeFileSync(join(project, config), JSON.stringify({ compilerOptions: { ...STRICT, ...options }, files: [file] }));
  const result = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', config], { cwd: project, encoding: 'utf8' });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The entries a consumer's code imports. */
const entriesOf = (...sources: string[]) =>
  new Set(sources.flatMap((source) => [...source.matchAll(/from '(gatehouse-http[^']*)'/g)].map(([, entry]) => entry)));

describe('the declarations, compiled by a consumer with skipLibCheck off', {
  skip: registrySkip('installing the tarball'),
}, () => {
  let work: string;
  /** Without the optional peers. */
  let project: string;
  /** The same package, in a project that has the peers' types too. */
  let withPeers: string;
  before(() => {
    const packed = packPackage();
    work = dirname(packed.tarball);
    project = installInEmptyProject(packed.tarball, {
      'node-project.ts': NODE_PROJECT,
      'web-project.ts': WEB_PROJECT,
    });
    link(project, ['@types/node']);
    withPeers = installInEmptyProject(packed.tarball, {
      'peers-project.ts': PEERS_PROJECT,
      'every-entry.ts': EVERY_ENTRY,
    });
    link(withPeers, ['@types/node', ...PEER_TYPES]);
  });
  after(() => {
    for (const dir of [project, withPeers, work]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every entry is compiled by one of the projects below', () => {
    const exported = Object.keys(MANIFEST.exports)
      .filter((key) => key !== './package.json')
      .map((key) => `gatehouse-http${key.slice(1)}`);
    assert.deepEqual([...entriesOf(NODE_PROJECT, PEERS_PROJECT)].sort(), exported.sort());
  });

  it('a Node project without pg, ioredis, express, fastify or undici compiles every entry not made for one of them', () => {
    const { code, output } = compile(project, 'node-project.ts', { lib: ['es2023'], types: ['node'] });
    assert.equal(output, '');
    assert.equal(code, 0);
  });

  it('a browser or edge project (DOM lib, no @types/node) compiles gatehouse-http, /client, /server and /hono', () => {
    const { code, output } = compile(project, 'web-project.ts', { lib: ['es2023', 'dom', 'dom.iterable'], types: [] });
    assert.equal(output, '');
    assert.equal(code, 0);
  });

  it("every entry's declarations compile in a Node-only project (lib es2024, @types/node, no DOM lib)", () => {
    const { code, output } = compile(withPeers, 'every-entry.ts', { lib: ['es2024'], types: ['node'] });
    assert.equal(output, '');
    assert.equal(code, 0);
  });

  it('with the peers: req.auth on Express and request.auth on Fastify are typed, and pg and ioredis clients are taken as they are', () => {
    const { code, output } = compile(withPeers, 'peers-project.ts', { lib: ['es2023'], types: ['node'] });
    assert.equal(output, '');
    assert.equal(code, 0);
  });
});
