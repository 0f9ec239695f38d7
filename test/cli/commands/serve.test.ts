import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gatehouseSync } from '../../support/cli.ts';
import { serve } from '../../support/served.ts';
import { freePort } from '../../support/server.ts';
import { dropSchema, POSTGRES_URL, requirePostgres, runSchema } from '../../support/services.ts';

const main = join(import.meta.dirname, '../../../src/cli/main.ts');

describe('gatehouse serve', () => {
  it('serve prints its address first, serves, and closes cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [main, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const firstLine = await new Promise<string>((resolve) => {
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
    });
    assert.match(firstLine, /^gatehouse playground listening on http:\/\/127\.0\.0\.1:\d+$/);
    const url = firstLine.split(' ').at(-1)!;
    assert.deepStrictEqual(
      await (
        await fetch(`${url}/basic-auth/user/passwd`, { headers: { authorization: `Basic ${btoa('user:passwd')}` } })
      ).json(),
      { authenticated: true, user: 'user' },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(out, /gatehouse playground closed\n$/);
  });

  it('refuses a value it would otherwise read as another (an empty port as 0, hex as decimal) before listening', () => {
    for (const [flag, value, said] of [
      ['--port', '', '--port takes a port number from 0 (any free port) to 65535'],
      ['--port', '0x50', '--port takes a port number from 0 (any free port) to 65535'],
      ['--port', '8080.5', '--port takes a port number from 0 (any free port) to 65535'],
      ['--refresh-grace', '1e3', '--refresh-grace takes milliseconds from 0'],
      ['--refresh-grace', ' 5', '--refresh-grace takes milliseconds from 0'],
      ['--issuer', 'http://auth.example.test', '--issuer: issuer must be an https URL'],
      ['--issuer', 'https://auth.example.test/?tenant=1', '--issuer: issuer must be an https URL'],
    ]) {
      const result = gatehouseSync(['serve', flag!, value!], { timeoutMs: 20_000 });
      assert.equal(result.code, 64, `${flag} ${JSON.stringify(value)}`);
      assert.equal(result.stdout, '', 'it did not listen');
      assert.ok(result.stderr.startsWith(`gatehouse serve: ${said}`), result.stderr);
      assert.ok(result.stderr.endsWith(' (gatehouse serve --help shows the usage)\n'), result.stderr);
    }
  });
});

describe('gatehouse serve with a dependency that is down', () => {
  for (const [what, args, line] of [
    [
      'Redis',
      ['--redis', 'redis://:s3cret@127.0.0.1:1'],
      'gatehouse serve: cannot connect to Redis at redis://127.0.0.1:1 (ECONNREFUSED)',
    ],
    [
      'the store',
      ['--store', 'postgres://app:s3cret@127.0.0.1:1/x'],
      'gatehouse serve: cannot connect to the store at postgres://app@127.0.0.1:1/x (ECONNREFUSED)',
    ],
  ] as const) {
    it(`${what} unreachable at start: refuses to start in one line naming it (no password), exit 1, never "listening"`, {
      timeout: 20_000,
    }, async () => {
      const started = Date.now();
      const served = serve(...args);
      assert.equal(await served.exited, 1);
      assert.ok(Date.now() - started < 5_000, `${Date.now() - started} ms`);
      assert.equal(served.stderr, `${line}\n`);
      assert.equal(served.stdout, '');
    });
  }
});

/** A Redis of the test's own, on a free port, that the test can stop and start again. */
async function privateRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100; i++) {
    if (await answers(port)) return child;
    await sleep(50);
  }
  throw new Error(`redis-server did not start on ${port}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection(port);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** A Bearer request to /api/me: its status and content type. */
async function me(url: string, token: string): Promise<[number, string | null]> {
  const response = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return [response.status, response.headers.get('content-type')];
}

/** The lines a served playground wrote on stderr. */
const logLines = (stderr: string) => stderr.split('\n').filter(Boolean);

/** The status of /api/me once it is 200 again, polled for up to 10 s. */
async function statusOnceBack(url: string, token: string): Promise<number> {
  let status = 0;
  for (let i = 0; i < 100 && status !== 200; i++) {
    [status] = await me(url, token);
    if (status !== 200) await sleep(100);
  }
  return status;
}

/** Waits up to 5 s for the served playground to have written `count` lines on stderr. */
async function linesOf(served: { readonly stderr: string }, count: number): Promise<void> {
  for (let i = 0; i < 50 && logLines(served.stderr).length < count; i++) await sleep(100);
}

describe('gatehouse serve when a dependency fails while serving', () => {
  it('Redis stops: 503 problem+json at once, one line for the outage, one when it is back; no ioredis stack', {
    timeout: 60_000,
  }, async () => {
    const port = await freePort();
    let redis = await privateRedis(port);
    const served = serve('--redis', `redis://127.0.0.1:${port}`);
    try {
      const url = await served.listening;
      const { access_token: token } = (await (await fetch(`${url}/tokens/valid`)).json()) as { access_token: string };
      assert.deepStrictEqual(await me(url, token), [200, 'application/json']);

      redis.kill('SIGKILL');
      await new Promise((r) => redis.once('exit', r));
      for (let i = 0; i < 20; i++) {
        const started = Date.now();
        assert.deepStrictEqual(await me(url, token), [503, 'application/problem+json']);
        assert.ok(Date.now() - started < 2_000, 'answered at once, not after retries');
      }
      await sleep(3_000); // reconnect attempts go on meanwhile
      // Why: the connection Redis closed, or a reconnect attempt refused, whichever came first.
      const down = logLines(served.stderr);
      assert.equal(down.length, 1, served.stderr);
      assert.match(
        down[0]!,
        new RegExp(
          `^gatehouse: redis://127\\.0\\.0\\.1:${port} does not answer \\((Error ECONNREFUSED: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}|Error: Connection is closed\\.)\\); what needs it is answered 503 store_unavailable until it does$`,
        ),
      );

      redis = await privateRedis(port);
      assert.equal(await statusOnceBack(url, token), 200, 'answers again once Redis is back');
      await linesOf(served, 2);
      const lines = logLines(served.stderr);
      assert.equal(lines.length, 2, served.stderr);
      assert.match(
        lines[1]!,
        new RegExp(
          `^gatehouse: redis://127\\.0\\.0\\.1:${port} answers again after [\\d.]+ s \\(\\d+ answers were 503 store_unavailable\\)$`,
        ),
      );
      assert.doesNotMatch(served.stderr, /ioredis|\n\s+at /);
    } finally {
      await served.stop();
      redis.kill('SIGKILL');
    }
  });

  it('Postgres stops answering: 503 problem+json, one line for the outage, one when it is back', {
    timeout: 60_000,
  }, async (t) => {
    if (!(await requirePostgres(t))) return;
    // A proxy in front of the real Postgres, which the test cuts and restores.
    const target = new URL(POSTGRES_URL);
    const sockets = new Set<Socket>();
    let cut = false;
    const proxy = createServer((client) => {
      if (cut) {
        client.destroy();
        return;
      }
      const upstream = createConnection(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxied = new URL(POSTGRES_URL);
    proxied.hostname = '127.0.0.1';
    proxied.port = String((proxy.address() as { port: number }).port);
    const namespace = runSchema('serve_outage');
    const served = serve('--store', proxied.href, '--namespace', namespace);
    try {
      const url = await served.listening;
      const { access_token: token } = (await (await fetch(`${url}/tokens/valid`)).json()) as { access_token: string };
      assert.deepStrictEqual(await me(url, token), [200, 'application/json']);

      cut = true;
      for (const s of sockets) s.destroy();
      for (let i = 0; i < 20; i++) assert.deepStrictEqual(await me(url, token), [503, 'application/problem+json']);
      await sleep(2_000);
      const shown = new URL(proxied);
      shown.password = ''; // a log line never shows one
      const down = logLines(served.stderr);
      assert.equal(down.length, 1, served.stderr);
      assert.ok(down[0]!.startsWith(`gatehouse: ${shown.href} does not answer (`), down[0]);

      cut = false;
      assert.equal(await statusOnceBack(url, token), 200, 'answers again once Postgres is back');
      await linesOf(served, 2);
      assert.equal(logLines(served.stderr).length, 2, served.stderr);
      assert.match(logLines(served.stderr)[1]!, / answers again after /);
    } finally {
      await served.stop();
      for (const s of sockets) s.destroy();
      proxy.close();
      await dropSchema(namespace);
    }
  });
});
