/**
 * `gatehouse-http/client/loopback-login` (Node only): a person signs in at a terminal through the
 * authorization code grant with PKCE and a loopback redirect (RFC 8252 §7.3).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { invalidArgument } from '../http/argument-error.ts';
import { LoginTimeoutError } from './errors/login-timeout-error.ts';
import { OpenBrowserError } from './errors/open-browser-error.ts';
import {
  type AuthorizationCodeOptions,
  beginAuthorization,
  codeFlowServer,
  finishAuthorization,
  readAuthorizationResponse,
} from './tokens/authorization-code.ts';
import type { OAuth2TokenSource } from './tokens/oauth2.ts';
import { storedSignIn } from './tokens/stored-sign-in.ts';

export interface LoopbackLoginOptions extends AuthorizationCodeOptions {
  /**
   * Opens the authorization URL in a browser; without it, the URL is printed. The redirect back is
   * answered while it runs (it may wait for the sign-in to finish); if it throws or rejects, the
   * sign-in ends with an OpenBrowserError.
   */
  openBrowser?: (url: string) => unknown;
  /** Where the URL is printed. @default a line on stderr */
  print?: (line: string) => void;
  /** How long to wait for the person to sign in, in ms. @default 300_000 */
  timeoutMs?: number;
  /** Cancels the wait. */
  signal?: AbortSignal;
}

const PAGE = (heading: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${heading}</title><h1>${heading}</h1><p>${text}</p>`;

/**
 * Listens on `http://127.0.0.1:<free port>/callback` (RFC 8252 §7.3: the loopback IP literal, any
 * port; §8.3), prints the authorization URL (or opens it), waits for the redirect back, checks its
 * state and `iss`, answers the browser with a short page, and exchanges the code with its verifier
 * and the same redirect_uri. The tokens land in a token source (and `store`), refreshed like any
 * other grant's; `introspect()` and `revoke()` use the server's metadata.
 *
 * With a `store` that already holds a sign-in for this token endpoint and client (the key
 * `oauth2:authorization_code:<token endpoint>:<client id>`, or `key`) — a refresh token the server
 * still takes, for the same DPoP key or none, with the scopes asked for — that sign-in is returned
 * and nobody is asked: the next run, or another process on the same token file (and `fileDpopKey`),
 * goes on from the first one's sign-in. `acrValues` or `maxAge` always ask the person; after
 * `revoke()` (logout) the store holds none.
 *
 * @throws LoginTimeoutError when nobody signs in within `timeoutMs`; OpenBrowserError when
 * `openBrowser` fails; AuthorizationResponseError or IssuerMismatchError for a redirect back that
 * fails its checks; AuthenticationError when the exchange is refused; DiscoveryError when the
 * server's metadata cannot be used.
 * @example
 * const source = await loopbackLogin({ issuer: 'https://auth.example.com', clientId: 'cli', scope: 'openid offline_access' });
 */
export async function loopbackLogin(options: LoopbackLoginOptions): Promise<OAuth2TokenSource> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0))
    throw invalidArgument('loopbackLogin: timeoutMs must be a number of ms > 0');
  const server = await codeFlowServer(options, options.signal);
  const stored = await storedSignIn(server, options);
  if (stored) return stored;
  const listener = createServer();
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', resolve);
  });
  // Ends the wait early: openBrowser failed, or the sign-in ended another way.
  const stop = new AbortController();
  try {
    const redirectUri = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/callback`;
    const { url, pending } = await beginAuthorization(server, options, redirectUri);
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    const callback = waitForCallback(listener, pending.state, timeoutMs, signal);
    callback.catch(() => undefined); // awaited below, unless showing the URL throws first
    showUrl(options, url.href, stop);
    const { params, answer } = await callback;
    let code: string;
    try {
      code = readAuthorizationResponse(params, pending, server);
    } catch (error) {
      answer(400, PAGE('Sign-in failed', 'This sign-in could not be used. Return to the terminal for what to do.'));
      throw error;
    }
    answer(200, PAGE('Signed in', 'You can close this page and return to the terminal.'));
    return await finishAuthorization(server, options, pending, code);
  } finally {
    stop.abort();
    listener.closeAllConnections();
    listener.close();
  }
}

/**
 * Prints the URL, or hands it to openBrowser without waiting for it: the callback is answered
 * while openBrowser runs, so one that waits for the sign-in to finish (a script driving a browser
 * to the last page) cannot hold it up. Its failure ends the sign-in with an OpenBrowserError.
 */
function showUrl(options: LoopbackLoginOptions, url: string, stop: AbortController): void {
  const { openBrowser } = options;
  if (!openBrowser) {
    (options.print ?? ((line) => process.stderr.write(`${line}\n`)))(`Open this URL in a browser to sign in:\n${url}`);
    return;
  }
  Promise.resolve()
    .then(() => openBrowser(url))
    .catch((error: unknown) => stop.abort(new OpenBrowserError(error)));
}

interface Callback {
  params: URLSearchParams;
  answer: (status: number, html: string) => void;
}

/**
 * The first request to /callback that carries this sign-in's state; other paths get a 404, and a
 * /callback without the state (a page in the browser or a local process can reach this port) a
 * 400, and the wait goes on: only the redirect the authorization server made can end it, whatever
 * it says. Rejects on timeout or abort.
 */
function waitForCallback(
  listener: ReturnType<typeof createServer>,
  state: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Callback> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new LoginTimeoutError(timeoutMs)), timeoutMs);
    const onAbort = () => done(signal?.reason ?? new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    function done(error: unknown, value?: Callback) {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      listener.off('request', onRequest);
      if (value) resolve(value);
      else reject(error);
    }
    function onRequest(request: IncomingMessage, response: ServerResponse) {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      if (request.method !== 'GET' || url.pathname !== '/callback') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
        return;
      }
      const answer = (status: number, html: string) =>
        response
          .writeHead(status, {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-store',
            connection: 'close',
          })
          .end(html);
      // RFC 6749 §10.12: the state binds the answer to this request; one without it is not its answer.
      const states = url.searchParams.getAll('state');
      if (states.length !== 1 || states[0] !== state) {
        answer(400, PAGE('Not this sign-in', 'This page was not sent by the sign-in the terminal is waiting for.'));
        return;
      }
      done(undefined, { params: url.searchParams, answer });
    }
    listener.on('request', onRequest);
    if (signal?.aborted) onAbort();
  });
}
