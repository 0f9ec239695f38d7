/**
 * A small local stand-in for the httpbin endpoints the Python requests guide uses, so every example runs
 * without internet. (The full playground is `gatehouse serve`.)
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAuthorization, SIGNATURE_SCHEME } from '../../src/http/index.ts';

export interface ExampleServer {
  url: string;
  close(): Promise<void>;
  /** How many times each path was requested. */
  hits: Map<string, number>;
}

export const EXAMPLE_ACCOUNTS = {
  user: 'user',
  password: 'passwd',
  clientId: 'example-client',
  clientSecret: 'example-client-secret',
  apiKey: 'test_key',
  apiSecret: 'test_secret',
};

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function startExampleServer(): Promise<ExampleServer> {
  const hits = new Map<string, number>();
  let issued = 0;
  const valid = new Set<string>();

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://example-server');
    const count = (hits.get(url.pathname) ?? 0) + 1;
    hits.set(url.pathname, count);
    const auth = parseAuthorization(req.headers.authorization);

    if (url.pathname === '/basic-auth/user/passwd') {
      if (
        auth.ok &&
        auth.credentials.kind === 'basic' &&
        auth.credentials.username === EXAMPLE_ACCOUNTS.user &&
        auth.credentials.password === EXAMPLE_ACCOUNTS.password
      ) {
        return send(res, 200, { authenticated: true, user: EXAMPLE_ACCOUNTS.user });
      }
      return send(res, 401, {}, { 'www-authenticate': 'Basic realm="Fake Realm"' });
    }
    if (url.pathname === '/oauth/token') {
      const form = new URLSearchParams(body.toString());
      const client = parseAuthorization(req.headers.authorization);
      const clientOk =
        client.ok &&
        client.credentials.kind === 'basic' &&
        client.credentials.username === EXAMPLE_ACCOUNTS.clientId &&
        client.credentials.password === EXAMPLE_ACCOUNTS.clientSecret;
      if (!clientOk) return send(res, 401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="token"' });
      if (form.get('grant_type') !== 'client_credentials') return send(res, 400, { error: 'unsupported_grant_type' });
      const token = `example-token-${++issued}`;
      valid.add(token);
      return send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
    }
    if (url.pathname === '/revoke-all') {
      valid.clear();
      return send(res, 200, { revoked: true });
    }
    if (url.pathname === '/bearer') {
      if (
        auth.ok &&
        auth.credentials.kind === 'bearer' &&
        (valid.has(auth.credentials.token) || auth.credentials.token === 'static-example-token')
      ) {
        return send(res, 200, { authenticated: true, token: `${auth.credentials.token.slice(0, 4)}…` });
      }
      const error = auth.ok ? ', error="invalid_token", error_description="The access token expired"' : '';
      return send(res, 401, { detail: 'Not authenticated' }, { 'www-authenticate': `Bearer realm="example"${error}` });
    }
    if (url.pathname === '/flaky') {
      // Fails twice, then succeeds: for retries with backoff.
      if (count <= 2) return send(res, 503, { error: 'temporarily unavailable' });
      return send(res, 200, { ok: true, attempt: count });
    }
    if (url.pathname === '/rate-limited') {
      // Over budget once, asking for a one-second pause; then fine.
      if (count === 1) return send(res, 429, { error: 'slow down' }, { 'retry-after': '1' });
      return send(res, 200, { ok: true });
    }
    if (url.pathname === '/rate-limited-long')
      return send(res, 429, { error: 'come back in an hour' }, { 'retry-after': '3600' });
    if (url.pathname.startsWith('/status/')) {
      const status = Number(url.pathname.slice('/status/'.length));
      return send(res, status, {}, status === 401 ? { 'www-authenticate': 'Basic realm="Fake Realm"' } : {});
    }
    if (url.pathname === '/delay/3') {
      await new Promise((r) => setTimeout(r, 3000));
      return send(res, 200, {});
    }
    if (url.pathname === '/headers') {
      const headers: Record<string, string> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers[req.rawHeaders[i]!] = req.rawHeaders[i + 1]!;
      return send(res, 200, { headers });
    }
    if (url.pathname === '/signed') {
      const digest = createHash('sha256').update(body).digest('hex');
      const ts = String(req.headers['x-timestamp']);
      const nonce = String(req.headers['x-nonce']);
      const expected = createHmac('sha256', EXAMPLE_ACCOUNTS.apiSecret)
        .update(
          [SIGNATURE_SCHEME, req.headers['x-api-key'], req.method, req.headers.host, req.url, ts, nonce, digest].join(
            '\n',
          ),
        )
        .digest();
      const given = Buffer.from(String(req.headers['x-signature'] ?? ''), 'hex');
      const ok =
        req.headers['x-api-key'] === EXAMPLE_ACCOUNTS.apiKey &&
        given.length === expected.length &&
        timingSafeEqual(given, expected);
      return send(res, ok ? 200 : 401, { verified: ok });
    }
    if (url.pathname === '/cookies/set') {
      res.writeHead(200, {
        'set-cookie': 'session=example-session; Path=/; HttpOnly',
        'content-type': 'application/json',
      });
      return res.end('{}');
    }
    if (url.pathname === '/cookies') return send(res, 200, { cookies: req.headers.cookie ?? '' });
    send(res, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
