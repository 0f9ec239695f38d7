/**
 * Starts the playground: one app on two ports (the second for cross-origin redirects), state
 * in the store given (SQLite in memory by default), closed cleanly on request. The published
 * demo accounts go only into a store the playground owns (one in memory, gone at exit), never
 * unasked into a store it is given.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener, RequestError } from '@hono/node-server';
import { invalidArgument } from '../http/argument-error.ts';
import type { MaybePromise } from '../http/maybe-promise.ts';
import { createLoginProtection } from '../server/login-protection.ts';
import { failureOf, failureResponse, type OnError, problemResponse, report } from '../server/server-failure.ts';
import { createTokenService } from '../server/tokens/token-service.ts';
import { createPlayground } from './app.ts';
import { corsOrigin } from './cors.ts';
import { openDependencies } from './dependencies.ts';
import { allowedHostName, isLoopbackHost } from './host-check.ts';
import { outageLog } from './outage-log.ts';
import { seed } from './seed.ts';

/** What a namespace may be: a Postgres schema name and a Redis key prefix alike. */
export const NAMESPACE_PATTERN = /^[A-Za-z0-9_]{1,48}$/;

export interface StartPlaygroundOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 'sqlite::memory:' */
  store?: string;
  redis?: string;
  /**
   * Keeps this deployment's state apart from others on the same Postgres and Redis: the Postgres
   * schema, and the prefix of Redis keys and login counters. Letters, digits and _.
   */
  namespace?: string;
  /** How long a rotated refresh token may still be used, for two concurrent refreshes (ms). @default 1000 */
  refreshGraceMs?: number;
  /**
   * Origins whose pages may read the playground's answers (with credentials) in a browser,
   * besides loopback ones (http(s)://localhost, 127.0.0.0/8, [::1], any port), as
   * scheme://host[:port]. @default []
   */
  corsOrigins?: readonly string[];
  /**
   * Plant the published demo accounts (see seed.ts) in the store. Anyone who read the README can
   * sign in with them, so they go unasked only into a store the playground owns.
   * @default true for an in-memory store (the default), false for any other store given
   */
  seedDemo?: boolean;
  /**
   * Host names to answer besides localhost, *.localhost and IP addresses, when listening on
   * loopback (a guard against DNS rebinding; on another interface any Host is answered). @default []
   */
  allowedHosts?: readonly string[];
  /** How many entries each map of client-chosen keys and sessions holds (see PlaygroundOptions). @default 10_000 */
  maxTrackedKeys?: number;
  /**
   * The authorization server's identifier: its metadata's `issuer` and its tokens' `iss`. It must be
   * the URL clients reach it at (RFC 8414 §3.3: a client refuses metadata whose issuer is not the URL
   * it fetched it from), so give the public URL when the playground is behind a proxy.
   * @default the URL it listens on, e.g. http://127.0.0.1:8080
   */
  issuer?: string;
}

/**
 * An issuer as RFC 8414 §2 allows it: an https URL (http only for a loopback host) with no query
 * or fragment; the trailing slash of a bare origin is dropped, as URL parsing adds it.
 */
export function issuerUrl(text: string): string {
  const url = URL.parse(text);
  const loopback = url !== null && isLoopbackHost(url.hostname);
  const scheme = url?.protocol === 'https:' || (url?.protocol === 'http:' && loopback);
  if (!url || !scheme || /[?#]/.test(text) || url.username || url.password)
    throw invalidArgument(
      'issuer must be an https URL with no query or fragment (http only for localhost or a loopback address), e.g. https://auth.example.com',
    );
  return url.pathname === '/' ? url.origin : url.href;
}

/** Stores that live and die with this process: the only ones the playground owns. */
const OWN_STORES = new Set(['sqlite::memory:', 'memory:']);

export interface Playground {
  url: string;
  /** The second port, another origin on the same host. */
  otherUrl: string;
  /** Whether the store holds the demo accounts (see StartPlaygroundOptions.seedDemo). */
  demoAccounts: boolean;
  close(): Promise<void>;
}

function listen(
  fetch: (request: Request, env: unknown) => MaybePromise<Response>,
  port: number,
  host: string,
  errorHandler: (error: unknown) => Response,
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(getRequestListener(fetch, { hostname: host, errorHandler }));
    server.listen(port, host, () => resolve(server));
    server.once('error', reject);
    // A request Node cannot parse gets its 400 and the server goes on (no crash, no stack).
    server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) {
        socket.destroy();
        return;
      }
      const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    });
  });
}

/**
 * What @hono/node-server does with a request it cannot make a Web Request of (a Host that is no
 * authority, a bad target), answered as the library's own mounts answer it: 400 request_invalid
 * problem+json, not its empty 400. The message is node-server's, never the client's bytes.
 */
function unreadable(onError: OnError): (error: unknown) => Response {
  return (error) => {
    if (error instanceof RequestError)
      return problemResponse(
        'request_invalid',
        `The Host header or request target does not make a URL (${error.message}).`,
      );
    const failure = failureOf(error, 'playground');
    report(onError, failure);
    return failureResponse(failure);
  };
}

export async function startPlayground(options: StartPlaygroundOptions = {}): Promise<Playground> {
  const host = options.host ?? '127.0.0.1';
  const namespace = options.namespace;
  if (namespace !== undefined && !NAMESPACE_PATTERN.test(namespace))
    throw invalidArgument('startPlayground: namespace must be 1 to 48 letters, digits and _');
  const corsOrigins = (options.corsOrigins ?? []).map(corsOrigin);
  const allowedHosts = (options.allowedHosts ?? []).map(allowedHostName);
  const storeUrl = options.store ?? 'sqlite::memory:';
  const demoAccounts = options.seedDemo ?? OWN_STORES.has(storeUrl);
  const { store, backend, dependencies } = await openDependencies(storeUrl, options.redis, namespace);
  // One line per outage of a dependency, not one per request answered 503 meanwhile.
  const outages = outageLog({ dependencies });
  if (demoAccounts) await seed(store);
  const loginProtection = await createLoginProtection({
    backend,
    maxConsecutiveFailures: 5,
    lockoutSeconds: 60,
    ...(namespace ? { prefix: `gatehouse_${namespace}` } : {}),
  });
  const issuer = options.issuer === undefined ? undefined : issuerUrl(options.issuer);
  let otherOrigin: string | undefined;
  // The app needs the issuer, which is the listening URL unless given, known only once it listens:
  // requests wait for the app, which is built at once after (nothing between them awaits a client).
  let appBuilt!: (app: ReturnType<typeof createPlayground>) => void;
  const built = new Promise<ReturnType<typeof createPlayground>>((resolve) => {
    appBuilt = resolve;
  });
  const fetch = async (request: Request, env: unknown) => (await built).fetch(request, env);
  const onUnreadable = unreadable(outages.onError);
  const main = await listen(fetch, options.port ?? 0, host, onUnreadable);
  const other = await listen(fetch, 0, host, onUnreadable);
  const urlOf = (server: Server) =>
    `http://${host.includes(':') ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`;
  otherOrigin = urlOf(other);
  const app = createPlayground({
    store,
    service: createTokenService({
      store,
      issuer: issuer ?? urlOf(main),
      reuseGraceMs: options.refreshGraceMs ?? 1000,
    }),
    loginProtection,
    otherOrigin: () => otherOrigin,
    corsOrigins,
    demoAccounts,
    onError: outages.onError,
    ...(isLoopbackHost(host) ? { allowedHosts } : {}),
    ...(options.maxTrackedKeys === undefined ? {} : { maxTrackedKeys: options.maxTrackedKeys }),
  });
  appBuilt(app);
  return {
    url: urlOf(main),
    otherUrl: urlOf(other),
    demoAccounts,
    async close() {
      for (const server of [main, other]) server.closeAllConnections();
      await Promise.all([main, other].map((server) => new Promise((r) => server.close(r))));
      outages.close();
      await store.close();
    },
  };
}
