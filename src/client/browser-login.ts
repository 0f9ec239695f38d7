/**
 * Signing in from a browser page through the authorization code grant with PKCE: the verifier and
 * state wait in sessionStorage while the person is at the authorization server.
 */
import { invalidArgument } from '../http/argument-error.ts';
import { AuthorizationResponseError } from './errors/authorization-response-error.ts';
import {
  type AuthorizationCodeOptions,
  beginAuthorization,
  codeFlowServer,
  finishAuthorization,
  type PendingAuthorization,
  readAuthorizationResponse,
} from './tokens/authorization-code.ts';
import type { OAuth2TokenSource } from './tokens/oauth2.ts';

/** Where the sign-in in progress is kept: sessionStorage's shape. */
export interface AuthorizationStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface BrowserAuthorizationOptions extends AuthorizationCodeOptions {
  /** This page's redirect URI, registered with the authorization server. */
  redirectUri: string;
  /** @default globalThis.sessionStorage */
  storage?: AuthorizationStorage;
}

const KEY = 'gatehouse:authorization:';

function storageOf(options: { storage?: AuthorizationStorage }): AuthorizationStorage {
  const storage = options.storage ?? (globalThis as { sessionStorage?: AuthorizationStorage }).sessionStorage;
  if (!storage) throw invalidArgument('no sessionStorage here: pass storage');
  return storage;
}

/**
 * Starts a sign-in: a new state and PKCE verifier (S256, Web Crypto), kept in `storage` under the
 * state, and the authorization URL to send the person to (`location.assign(url)`).
 */
export async function startAuthorization(options: BrowserAuthorizationOptions): Promise<string> {
  if (typeof options?.redirectUri !== 'string') throw invalidArgument('startAuthorization: redirectUri is required');
  const storage = storageOf(options);
  const server = await codeFlowServer(options);
  const { url, pending } = await beginAuthorization(server, options, options.redirectUri);
  storage.setItem(KEY + pending.state, JSON.stringify(pending));
  return url.href;
}

/**
 * Completes the sign-in the redirect back (`location.href`) answers: its state must be one this
 * page started (each is used once), its `iss` the issuer (RFC 9207); then the code is exchanged.
 * Give the same options as to startAuthorization.
 */
export async function completeAuthorization(
  callbackUrl: string | URL,
  options: BrowserAuthorizationOptions,
): Promise<OAuth2TokenSource> {
  const storage = storageOf(options);
  const params = new URL(String(callbackUrl)).searchParams;
  const state = params.get('state') ?? '';
  const kept = storage.getItem(KEY + state);
  storage.removeItem(KEY + state);
  let pending: PendingAuthorization | undefined;
  try {
    pending = kept ? (JSON.parse(kept) as PendingAuthorization) : undefined;
  } catch {
    pending = undefined;
  }
  if (!pending || pending.issuer !== options.issuer || pending.redirectUri !== options.redirectUri)
    throw new AuthorizationResponseError(
      'The redirect back carries a state this page did not start (or already used): it is not the answer to a sign-in from here (RFC 6749 §10.12). Start the sign-in again.',
    );
  const server = await codeFlowServer(options);
  const code = readAuthorizationResponse(params, pending, server);
  return finishAuthorization(server, options, pending, code);
}
