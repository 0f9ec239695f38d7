/**
 * The authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636 S256), the parts every runtime
 * shares: the verifier and its challenge (Web Crypto), the authorization URL, the checks of the
 * redirect back (state; `iss`, RFC 9207) and the code's exchange for tokens that land in a token
 * source and its store like any other grant's. With a DPoP key (`dpop`, RFC 9449), the code is bound
 * to it (§10 `dpop_jkt`) and the exchange and every refresh prove it. The loopback (Node) and
 * browser helpers run it.
 */
import { invalidArgument } from '../../http/argument-error.ts';
import type { DpopKey } from '../auth/dpop.ts';
import {
  type AuthorizationServerMetadata,
  discoverAuthorizationServer,
} from '../discovery/authorization-server-metadata.ts';
import { DISCOVERY_TIMEOUT } from '../discovery/metadata-document.ts';
import { AuthorizationResponseError } from '../errors/authorization-response-error.ts';
import { DiscoveryError } from '../errors/discovery-error.ts';
import { errorDescription, serverSays } from '../errors/error-description.ts';
import { IssuerMismatchError } from '../errors/issuer-mismatch-error.ts';
import { type OAuth2CommonOptions, type OAuth2TokenSource, signedInSource, validate } from './oauth2.ts';
import { requestToken, type TokenEndpoint } from './token-endpoint.ts';
import { memoryTokenStore, type TokenStore } from './token-store.ts';

/** What a sign-in through the authorization code grant needs to know, whichever runtime runs it. */
export interface AuthorizationCodeOptions
  extends Omit<OAuth2CommonOptions, 'tokenUrl' | 'introspectionUrl' | 'revocationUrl'> {
  /** The authorization server's issuer identifier; its metadata (RFC 8414) gives the endpoints. */
  issuer: string;
  /** For a confidential client; a public one (a CLI, a single-page app) has none. */
  clientSecret?: string;
  /** The API the tokens are for (RFC 8707), sent on the authorization and token requests. */
  resource?: string;
  /**
   * The sign-in level to ask for (RFC 9470 §4 `acr_values`), e.g. a StepUpRequiredError's
   * `acrValues`, most preferred first.
   */
  acrValues?: string | readonly string[];
  /** The most seconds since the user's sign-in to accept (`max_age`), e.g. a StepUpRequiredError's `maxAge`. */
  maxAge?: number;
  /**
   * A DPoP key (`dpop()`, RFC 9449): the authorization request names it (`dpop_jkt`, §10), so that
   * only its proof redeems the code; the exchange and every refresh carry a proof, and the tokens
   * come back bound to it (pass the same key to `bearer(source, { dpop })`). In a browser, keep the
   * key across the redirect: `dpop({ keyPair })` with a key pair kept in IndexedDB. @default none (Bearer tokens)
   */
  dpop?: DpopKey;
}

/** A sign-in in progress: what the redirect back is checked against, and the code exchanged with. */
export interface PendingAuthorization {
  state: string;
  verifier: string;
  redirectUri: string;
  issuer: string;
  /** The thumbprint of the DPoP key the code is bound to (RFC 9449 §10), when there is one. */
  dpopJkt?: string;
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

function randomString(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}

/** RFC 7636 §4.2: the S256 challenge of a verifier (`plain` is never used). */
export async function s256(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/** The server's metadata, checked to offer what this flow needs. */
export async function codeFlowServer(
  options: AuthorizationCodeOptions,
  signal?: AbortSignal,
): Promise<AuthorizationServerMetadata> {
  if (!options || typeof options.issuer !== 'string')
    throw invalidArgument("issuer is required: the authorization server's URL");
  if (typeof options.clientId !== 'string' || !options.clientId) throw invalidArgument('clientId is required');
  const server = await discoverAuthorizationServer(options.issuer, {
    fetch: options.fetch ?? globalThis.fetch,
    signal,
    timeoutMs: DISCOVERY_TIMEOUT,
  });
  if (!server.authorizationEndpoint)
    throw new DiscoveryError(options.issuer, 'it has no authorization_endpoint, so nobody can sign in there.');
  // RFC 9700 §2.1.1: S256 only; a server that lists its methods without S256 would downgrade to plain.
  if (server.codeChallengeMethods.length > 0 && !server.codeChallengeMethods.includes('S256'))
    throw new DiscoveryError(
      options.issuer,
      'it does not offer PKCE with S256 (code_challenge_methods_supported), which this client requires.',
    );
  return server;
}

/** A new state and verifier, and the authorization URL (RFC 6749 §4.1.1, RFC 7636 §4.3) that carries them. */
export async function beginAuthorization(
  server: AuthorizationServerMetadata,
  options: AuthorizationCodeOptions,
  redirectUri: string,
): Promise<{ url: URL; pending: PendingAuthorization }> {
  const pending: PendingAuthorization = {
    state: randomString(),
    verifier: randomString(),
    redirectUri,
    issuer: server.issuer,
    // RFC 9449 §10: the code is bound to the key that will prove the exchange.
    ...(options.dpop ? { dpopJkt: await options.dpop.thumbprint() } : {}),
  };
  const url = new URL(server.authorizationEndpoint!.href);
  const scope = Array.isArray(options.scope) ? options.scope.join(' ') : (options.scope as string | undefined);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', options.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  if (scope) url.searchParams.set('scope', scope);
  if (options.resource) url.searchParams.set('resource', options.resource);
  setSignInLevel(url, options);
  url.searchParams.set('state', pending.state);
  url.searchParams.set('code_challenge', await s256(pending.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  if (pending.dpopJkt) url.searchParams.set('dpop_jkt', pending.dpopJkt);
  return { url, pending };
}

/** RFC 9470 §4: acr_values and max_age on the authorization request, checked as arguments. */
function setSignInLevel(url: URL, { acrValues, maxAge }: AuthorizationCodeOptions): void {
  if (acrValues !== undefined) {
    const values = typeof acrValues === 'string' ? [acrValues] : acrValues;
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(v)))
      throw invalidArgument('acrValues: a string or a list of strings without spaces, quotes or backslashes');
    if (values.length > 0) url.searchParams.set('acr_values', values.join(' '));
  }
  if (maxAge !== undefined) {
    if (!Number.isSafeInteger(maxAge) || maxAge < 0)
      throw invalidArgument('maxAge: a whole number of seconds, 0 or more');
    url.searchParams.set('max_age', String(maxAge));
  }
}

/**
 * The code in the redirect back, after its checks: the state is this sign-in's (RFC 6749 §10.12),
 * and `iss` names the issuer the request went to (RFC 9207 §2.4: compared whenever present, and
 * required when the server's metadata says it sends it).
 */
export function readAuthorizationResponse(
  params: URLSearchParams,
  pending: PendingAuthorization,
  server: AuthorizationServerMetadata,
): string {
  if (params.get('state') !== pending.state)
    throw new AuthorizationResponseError(
      'The redirect back does not carry the state this sign-in sent (RFC 6749 §10.12): it is not the answer to it, or was forged. Start the sign-in again.',
    );
  const iss = params.get('iss');
  if (iss !== null ? iss !== pending.issuer : server.issParameterSupported)
    throw new IssuerMismatchError({
      expected: pending.issuer,
      named: iss ?? undefined,
      where: 'The redirect back',
      fix: 'RFC 9207 §2.4: it may come from another authorization server (a mix-up attack); start the sign-in again.',
    });
  const error = params.get('error');
  if (error !== null) {
    const code = error.slice(0, 64).replace(/[^\x21-\x7e]/g, '?');
    const description = errorDescription(params.get('error_description'));
    throw new AuthorizationResponseError(
      `The authorization server answered the sign-in with ${code}${code === 'access_denied' ? ': the sign-in was refused or cancelled' : ''} (RFC 6749 §4.1.2.1)${serverSays(description)} Start the sign-in again.`,
      code,
      description,
    );
  }
  const code = params.get('code');
  if (!code)
    throw new AuthorizationResponseError(
      'The redirect back carries neither a code nor an error (RFC 6749 §4.1.2). Start the sign-in again.',
    );
  return code;
}

/**
 * RFC 6749 §4.1.3 with RFC 7636 §4.5: the code, its verifier and the same redirect_uri, for tokens
 * kept in a token source (refreshed with the refresh token; introspect() and revoke() from the
 * server's metadata). A code bound to a DPoP key is exchanged with that key's proof only.
 */
export async function finishAuthorization(
  server: AuthorizationServerMetadata,
  options: AuthorizationCodeOptions,
  pending: PendingAuthorization,
  code: string,
): Promise<OAuth2TokenSource> {
  if (pending.dpopJkt !== undefined && pending.dpopJkt !== (await options.dpop?.thumbprint()))
    throw invalidArgument(
      'dpop: the code is bound to the DPoP key this sign-in started with (dpop_jkt, RFC 9449 §10), and this is not the same key. Start the sign-in again, and complete it with the same key: in a browser, dpop({ keyPair }) with a key pair kept in IndexedDB across the redirect.',
    );
  const { endpoint, common } = signInTokens(server, options);
  const params = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: pending.redirectUri,
    code_verifier: pending.verifier,
  });
  const signal = AbortSignal.timeout(options.refreshTimeoutMs ?? 30_000);
  const token = await requestToken(endpoint, params, options.clientSecret, signal, [code, pending.verifier]);
  await common.store.set(common.key, token);
  return signedInSource(endpoint, common, token.refreshToken, options.clientSecret);
}

/**
 * Where a sign-in's tokens go and how they are refreshed: the token endpoint of the server's
 * metadata, with its introspection and revocation endpoints, and the store and key they are kept
 * under (by default, one sign-in per token endpoint and client).
 */
export function signInTokens(
  server: AuthorizationServerMetadata,
  options: AuthorizationCodeOptions,
): { endpoint: TokenEndpoint; common: OAuth2CommonOptions & { store: TokenStore; key: string } } {
  const { scope: _scope, ...rest } = options; // the code carries the scope granted
  const common: OAuth2CommonOptions = {
    ...rest,
    tokenUrl: server.tokenEndpoint,
    extraParams: { ...options.extraParams, ...(options.resource ? { resource: options.resource } : {}) },
    ...(server.introspectionEndpoint ? { introspectionUrl: server.introspectionEndpoint } : {}),
    ...(server.revocationEndpoint ? { revocationUrl: server.revocationEndpoint } : {}),
  };
  const endpoint: TokenEndpoint = validate(common, 'authorization code');
  const store = options.store ?? memoryTokenStore();
  const key = options.key ?? `oauth2:authorization_code:${server.tokenEndpoint.href}:${options.clientId}`;
  return { endpoint, common: { ...common, store, key } };
}
