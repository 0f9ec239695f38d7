/**
 * Real servers nobody here wrote, for the doctor's tests in test/interop/: a FastAPI app and a
 * Django REST Framework project from Debian's packages (test/fixtures/real/*.py, written as their
 * tutorials write them), and a reverse proxy that drops `Authorization` the way a misconfigured
 * Apache or nginx does.
 *
 * Locally a machine without the packages skips these tests loudly; with CI=true they run and fail
 * instead (`.ci/run` installs the packages).
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SignJWT } from 'jose';

/** Debian's interpreter: the `python3` on PATH may be another one, without Debian's packages. */
export const PYTHON = '/usr/bin/python3';
const fixtures = join(import.meta.dirname, '../fixtures/real');
/** What the fixtures import; `multipart` is python3-multipart, which FastAPI's form parsing needs. */
const MODULES = 'fastapi, uvicorn, multipart, jwt, django, rest_framework';
const PACKAGES =
  'python3-fastapi python3-uvicorn python3-multipart python3-jwt python3-django python3-djangorestframework';

/** The users both apps know (same names and passwords in fastapi_app.py and drf_app.py). */
export const USERS = {
  /** FastAPI: scopes `me` and `items`, admin. DRF: an ordinary user with a DRF token. */
  alice: { username: 'alice', password: 'wonderland' },
  /** FastAPI: scope `me` only, not admin. DRF: an ordinary user without a token. */
  bob: { username: 'bob', password: 'builder' },
  /** DRF only: `is_staff`, so /api/admin/ lets it in (by Basic). */
  root: { username: 'root', password: 'rootpass' },
} as const;

/** fastapi_app.py's SECRET_KEY (HS256), so a test can sign a token the app accepts. */
export const FASTAPI_SECRET_KEY = 'gatehouse-fastapi-fixture-secret-do-not-use-elsewhere';
/** fastapi_app.py's API_KEY, expected in `X-API-Key` by GET /apikey/me. */
export const FASTAPI_API_KEY = 'gh-fixture-api-key-7f3a';

export interface RealServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  stop(): Promise<void>;
}

let missing: string | undefined | null = null;

/**
 * Why the real-server tests cannot run here, or undefined when they can. Under CI=true always
 * undefined: the tests then run and fail loudly rather than pass by skipping.
 */
export function realServersMissing(): string | undefined {
  if (process.env['CI'] === 'true') return undefined;
  if (missing !== null) return missing;
  try {
    execFileSync(PYTHON, ['-c', `import ${MODULES}`], { stdio: 'pipe', timeout: 20_000 });
    missing = undefined;
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    const why = stderr.split('\n').at(-1) || (error as Error).message;
    missing = `${PYTHON} cannot import ${MODULES} (${why}): apt-get install ${PACKAGES}`;
    process.stderr.write(`\n!!! SKIPPED: the real-server tests: ${missing}\n\n`);
  }
  return missing;
}

/**
 * Runs a fixture and waits for its `KEY value` lines (PORT first). The child's stdin stays open
 * as a lifeline: the fixtures exit when it closes, so a crashed test run leaves no server behind.
 */
async function startFixture(
  file: string,
  keys: readonly string[],
): Promise<RealServer & { lines: Map<string, string> }> {
  const child: ChildProcessWithoutNullStreams = spawn(PYTHON, [join(fixtures, file)], {
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    // No pid: it never started (no interpreter), so there is no exit to wait for.
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    child.stdin.destroy();
  };

  const lines = new Map<string, string>();
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string) => reject(new Error(`${file}: ${why}\n--- its stderr:\n${stderr || '(empty)'}`));
      const timer = setTimeout(() => fail(`no ${keys.join('/')} line within 20 s`), 20_000);
      let buffered = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
          const [key, value] = buffered.slice(0, end).trim().split(' ', 2);
          buffered = buffered.slice(end + 1);
          if (key && value) lines.set(key, value);
        }
        if (keys.every((key) => lines.has(key))) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        fail(error.message);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        fail(`exited (${signal ?? code}) before printing ${keys.join('/')}`);
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin: `http://127.0.0.1:${lines.get('PORT')}`, stop, lines };
}

/** fastapi_app.py: OAuth2 password flow + JWT with scopes, Basic, Bearer and an API key. */
export async function startFastApi(): Promise<RealServer & { secretKey: string }> {
  const { origin, stop } = await startFixture('fastapi_app.py', ['PORT']);
  return { origin, stop, secretKey: FASTAPI_SECRET_KEY };
}

/** drf_app.py: Token, Basic and Session authentication; `token` is alice's DRF token. */
export async function startDrf(): Promise<RealServer & { token: string }> {
  const { origin, stop, lines } = await startFixture('drf_app.py', ['PORT', 'TOKEN']);
  return { origin, stop, token: lines.get('TOKEN')! };
}

/**
 * An access token from the FastAPI app's POST /token, as a real client gets one (OAuth 2.0
 * password grant, RFC 6749 §4.3). Without `scope` the app grants everything the user may have.
 */
export async function fastApiToken(origin: string, user: { username: string; password: string }, scope?: string) {
  const form = new URLSearchParams({ grant_type: 'password', username: user.username, password: user.password });
  if (scope !== undefined) form.set('scope', scope);
  const response = await fetch(`${origin}/token`, { method: 'POST', body: form });
  if (response.status !== 200) throw new Error(`POST /token for ${user.username}: ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/**
 * An HS256 JWT shaped like the FastAPI app's own (`sub`, `scopes`, `exp`), signed with `secret`:
 * with FASTAPI_SECRET_KEY it is accepted, with any other key it is a token "signed by another key".
 */
export function signFastApiToken(
  secret: string,
  claims: { sub: string; scopes?: string[] },
  expiresInSeconds = 600,
): Promise<string> {
  return new SignJWT({ scopes: [], ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
    .sign(new TextEncoder().encode(secret));
}

/**
 * Logs in on the DRF project's /login/ form; the cookies a browser would then hold: `sessionid`,
 * `csrftoken`, and both as one `Cookie` header value.
 */
export async function drfLogin(origin: string, user: { username: string; password: string }) {
  const response = await fetch(`${origin}/login/`, {
    method: 'POST',
    body: new URLSearchParams({ username: user.username, password: user.password }),
  });
  if (response.status !== 200) throw new Error(`POST /login/ for ${user.username}: ${response.status}`);
  const cookies = new Map(
    response.headers.getSetCookie().map((line) => {
      const pair = line.trim().split(';', 1)[0]!;
      const eq = pair.indexOf('=');
      return [pair.slice(0, eq), pair.slice(eq + 1)] as const;
    }),
  );
  const sessionid = cookies.get('sessionid');
  const csrftoken = cookies.get('csrftoken');
  if (!sessionid || !csrftoken) throw new Error('POST /login/ set no sessionid or csrftoken cookie');
  return { sessionid, csrftoken, cookie: `sessionid=${sessionid}; csrftoken=${csrftoken}` };
}

/** Hop-by-hop fields (RFC 9110 §7.6.1) are the connection's own and never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * A reverse proxy to `targetOrigin` that forwards method, path, headers and body but drops
 * `Authorization`, as Apache without `CGIPassAuth`/`WSGIPassAuthorization` or a gateway without a
 * header mapping does. It rewrites `Host` to the target (nginx's and Apache's default), adds
 * `X-Forwarded-For`/`-Proto`/`-Host`, and marks answers with `Via: 1.1 strip-proxy` (RFC 9110 §7.6.3).
 */
export async function startStrippingProxy(targetOrigin: string): Promise<RealServer> {
  const target = new URL(targetOrigin);
  const server = createServer((req, res) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined && name !== 'authorization' && name !== 'host' && !HOP_BY_HOP.has(name))
        headers[name] = value;
    const forwardedFor = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = [forwardedFor, req.socket.remoteAddress].filter(Boolean).join(', ');
    headers['x-forwarded-proto'] = 'http';
    if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
    headers['host'] = target.host;

    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (answer) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers))
          if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        out['via'] = [answer.headers['via'], '1.1 strip-proxy'].filter(Boolean).join(', ');
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, out);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain', via: '1.1 strip-proxy' });
      res.end(`strip-proxy: ${error.message}`);
    });
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a real server answered, as the doctor's comparison reads it. */
export interface Answer {
  status: number;
  /** `WWW-Authenticate`, or null when absent. */
  challenge: string | null;
  body: string;
  location: string | null;
  via: string | null;
}

/** One request to a real server with plain fetch (redirects not followed): its raw answer. */
export async function answer(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    body: await response.text(),
    location: response.headers.get('location'),
    via: response.headers.get('via'),
  };
}

/** The fields of an answer a test compares. */
export function only<K extends keyof Answer>(whole: Answer, ...keys: K[]): Pick<Answer, K> {
  return Object.fromEntries(keys.map((k) => [k, whole[k]])) as Pick<Answer, K>;
}

/** The body FastAPI and DRF give a refusal: `{"detail": text}`. */
export const detail = (text: string) => JSON.stringify({ detail: text });
