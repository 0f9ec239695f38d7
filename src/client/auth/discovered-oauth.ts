/**
 * From a bare 401 to a token: the API's Bearer challenge names its protected resource metadata
 * (RFC 9728 §5.1), which names the authorization server, whose metadata (RFC 8414) names the
 * token endpoint; a token for that resource (RFC 8707) and the request again, once. Each document
 * is checked before the next step is taken, and the client's secret goes only to a token endpoint
 * found through checked documents.
 */
import { invalidArgument } from '../../http/argument-error.ts';
import { parseChallenges } from '../../http/index.ts';
import type { AuthStrategy } from '../auth-flow.ts';
import { authNotes } from '../auth-stage.ts';
import {
  type AuthorizationServerMetadata,
  discoverAuthorizationServer,
} from '../discovery/authorization-server-metadata.ts';
import { DISCOVERY_TIMEOUT, type DocumentFetch } from '../discovery/metadata-document.ts';
import { discoverResource, namesCalledResource, resourceMetadataUrl } from '../discovery/resource-metadata.ts';
import { DiscoveryError } from '../errors/discovery-error.ts';
import type { OutgoingRequest } from '../outgoing-request.ts';
import { oauth2ClientCredentials } from '../tokens/oauth2.ts';
import type { TokenSource, TokenSourceOptions } from '../tokens/token-source.ts';
import { discard, type Transport } from '../transport.ts';

/** What a sign-in for a discovered API is asked to do (see `login`). */
export interface DiscoveredLogin {
  /** The authorization server's issuer identifier, its metadata checked. */
  issuer: string;
  /** The protected resource's identifier: the `resource` of the authorization and token requests. */
  resource: string;
  scope: string | undefined;
  clientId: string;
}

export interface DiscoveredOAuthOptions extends TokenSourceOptions {
  clientId: string;
  /** A confidential client's secret, for the client credentials grant. */
  clientSecret?: string;
  /**
   * How tokens are got: the client credentials grant (RFC 6749 §4.4), or a person's sign-in
   * through `login`. @default 'client_credentials' with a clientSecret, else 'authorization_code'
   */
  grant?: 'client_credentials' | 'authorization_code';
  /**
   * For 'authorization_code': signs a person in at the discovered server and returns the token
   * source (`loopbackLogin` from `gatehouse-http/client/loopback-login` at a terminal).
   */
  login?: (request: DiscoveredLogin) => Promise<TokenSource>;
  /** Scopes to ask for. @default none (the server's default) */
  scope?: string | readonly string[];
  /**
   * The issuer (or issuers) of the authorization server this client is registered at. The API's
   * metadata must name it: a token is asked of it only. Required with a `clientSecret`, so that no
   * API can have the secret sent to a server of its choosing (the secret belongs to the server
   * that issued it). @default for a sign-in (`login`), the first the API names
   */
  authorizationServer?: string | readonly string[];
  /** How the client authenticates at the token endpoint. @default 'basic' */
  clientAuthentication?: 'basic' | 'body';
  /** The transport for metadata and token requests. @default globalThis.fetch */
  fetch?: Transport;
  /** The longest each metadata document may take, in ms. @default 10_000 */
  discoveryTimeoutMs?: number;
}

/** How many resources discovery keeps per origin, and how many origins: the most recent. */
const MAX_RESOURCES_PER_ORIGIN = 16;
const MAX_ORIGINS = 256;

/** What discovery found for one protected resource, and the source of its tokens. */
interface Discovered {
  metadataUrl: string;
  resource: string;
  source: TokenSource;
}

/**
 * Calls an API that only tells its URL: on a 401 whose Bearer challenge has `resource_metadata`,
 * discovers where tokens come from, gets one, and sends the request again, once. Discovery is
 * kept per origin for the client's later calls; a failed one is tried again on the next 401.
 *
 * @throws ResourceMismatchError, IssuerMismatchError or DiscoveryError when a document cannot be
 * believed or used (no token is requested then); AuthenticationError when the token request fails.
 * @see https://www.rfc-editor.org/rfc/rfc9728
 * @example
 * const api = createClient({
 *   auth: discoveredOAuth({ clientId: 'reporting', clientSecret: secret, authorizationServer: 'https://auth.example.com' }),
 * });
 */
export function discoveredOAuth(options: DiscoveredOAuthOptions): AuthStrategy {
  const settings = checkOptions(options);
  const found = new Map<string, Discovered[]>(); // by origin
  const inflight = new Map<string, Promise<Discovered>>(); // by metadata URL

  const known = (url: URL) => found.get(url.origin)?.find((entry) => namesCalledResource(entry.resource, url));

  function discover(metadataUrl: URL, called: URL, signal: AbortSignal | undefined): Promise<Discovered> {
    const key = `${called.origin} ${metadataUrl.href}`;
    let pending = inflight.get(key);
    if (!pending) {
      pending = runDiscovery(metadataUrl, called, settings, signal).then(
        (entry) => {
          const others = (found.get(called.origin) ?? []).filter((e) => e.metadataUrl !== entry.metadataUrl);
          // Bounded: an API that names a new metadata URL on every 401 cannot grow it without end.
          found.delete(called.origin);
          found.set(called.origin, [...others, entry].slice(-MAX_RESOURCES_PER_ORIGIN));
          if (found.size > MAX_ORIGINS) found.delete(found.keys().next().value!);
          inflight.delete(key);
          return entry;
        },
        (error: unknown) => {
          inflight.delete(key); // a failure is not kept: the next 401 tries again
          throw error;
        },
      );
      inflight.set(key, pending);
    }
    return pending;
  }

  return {
    name: 'discoveredOAuth',
    async *flow(request, context) {
      let entry = known(request.url);
      let sent: string | undefined;
      if (entry) sent = await authorize(request, entry.source, context.signal);
      const response = yield request;
      if (response.status !== 401) return;
      const challenges = parseChallenges(response.headers);
      // RFC 6750 §3.1: a token that lacks scope gets insufficient_scope; a new one of the same grant would too.
      if (sent && challenges.some((c) => c.params['error'] === 'insufficient_scope')) return;
      const metadataUrl = resourceMetadataUrl(response, request.url);
      if (!entry || (metadataUrl && metadataUrl.href !== entry.metadataUrl)) {
        if (!metadataUrl) {
          authNotes.set(
            response,
            'Its Bearer challenge has no resource_metadata (RFC 9728 §5.1), so discoveredOAuth cannot find where tokens come from: use bearer() with a token source for this API.',
          );
          return;
        }
        try {
          entry = await discover(metadataUrl, request.url, context.signal);
        } catch (error) {
          await discard(response);
          throw error;
        }
        sent = undefined;
      }
      const next = await authorize(request, entry.source, context.signal, sent);
      context.reportRefresh({ reason: 'unauthorized', recovered: next !== sent });
      if (next === sent) return;
      yield request;
    },
  };
}

/** Puts the source's token on the request; `rejected` is the token the server just refused. */
async function authorize(
  request: OutgoingRequest,
  source: TokenSource,
  signal: AbortSignal | undefined,
  rejected?: string,
): Promise<string> {
  const token = await source.getToken({ signal, ...(rejected ? { rejected } : {}) });
  request.headers.set('authorization', `Bearer ${token.accessToken}`);
  return token.accessToken;
}

interface Settings extends DiscoveredOAuthOptions {
  grant: 'client_credentials' | 'authorization_code';
  /** The issuers the client is registered at; [] takes the first the API names (a sign-in only). */
  registeredAt: readonly string[];
  scopeText: string | undefined;
  documents: Omit<DocumentFetch, 'signal'>;
}

function checkOptions(options: DiscoveredOAuthOptions): Settings {
  if (!options || typeof options.clientId !== 'string' || !options.clientId)
    throw invalidArgument('discoveredOAuth: clientId is required');
  const grant = options.grant ?? (options.clientSecret ? 'client_credentials' : 'authorization_code');
  const registeredAt = [options.authorizationServer ?? []].flat();
  if (registeredAt.some((issuer) => typeof issuer !== 'string' || !issuer))
    throw invalidArgument('discoveredOAuth: authorizationServer must be an issuer URL, or a list of them');
  // The API chooses which authorization server it names; a secret must not follow its choice.
  if (options.clientSecret !== undefined && registeredAt.length === 0)
    throw invalidArgument(
      'discoveredOAuth: with a clientSecret, give authorizationServer: the issuer the client is registered at, so that no API can have the secret sent to another server',
    );
  if (grant === 'client_credentials' && (typeof options.clientSecret !== 'string' || !options.clientSecret))
    throw invalidArgument("discoveredOAuth: grant 'client_credentials' needs a clientSecret");
  if (grant === 'authorization_code' && typeof options.login !== 'function')
    throw invalidArgument(
      "discoveredOAuth: grant 'authorization_code' needs login, a function that signs a person in (loopbackLogin at a terminal)",
    );
  if (grant !== 'client_credentials' && grant !== 'authorization_code')
    throw invalidArgument("discoveredOAuth: grant must be 'client_credentials' or 'authorization_code'");
  const fetch = options.fetch ?? globalThis.fetch;
  if (typeof fetch !== 'function') throw invalidArgument('discoveredOAuth: fetch must be a function');
  const scopeText = Array.isArray(options.scope) ? options.scope.join(' ') : (options.scope as string | undefined);
  return {
    ...options,
    grant,
    registeredAt,
    scopeText,
    documents: { fetch, timeoutMs: options.discoveryTimeoutMs ?? DISCOVERY_TIMEOUT },
  };
}

/** The resource's document, then its authorization server's, each checked; then the source of its tokens. */
async function runDiscovery(
  metadataUrl: URL,
  called: URL,
  settings: Settings,
  signal: AbortSignal | undefined,
): Promise<Discovered> {
  const how = { ...settings.documents, signal };
  const resource = await discoverResource(metadataUrl, called, how);
  const named = resource.authorizationServers;
  const registered = settings.registeredAt;
  const issuer = registered.length > 0 ? named.find((s) => registered.includes(s)) : named[0];
  if (!issuer)
    throw new DiscoveryError(
      resource.metadataUrl,
      named.length === 0
        ? 'it lists no authorization_servers, so nothing says where tokens come from.'
        : `its authorization_servers (${named.slice(0, 3).join(', ')}) do not include ${registered.join(' or ')}, where this client is registered: nothing is sent to a server the API chose.`,
    );
  const server = await discoverAuthorizationServer(issuer, how);
  return {
    metadataUrl: metadataUrl.href,
    resource: resource.resource,
    source: await sourceFor(server, resource.resource, settings),
  };
}

async function sourceFor(
  server: AuthorizationServerMetadata,
  resource: string,
  settings: Settings,
): Promise<TokenSource> {
  if (settings.grant === 'authorization_code')
    return settings.login!({ issuer: server.issuer, resource, scope: settings.scopeText, clientId: settings.clientId });
  // RFC 8414 §2: grant_types_supported, when listed, says which grants the server takes.
  if (server.grantTypes && !server.grantTypes.includes('client_credentials'))
    throw new DiscoveryError(
      server.issuer,
      "its metadata does not list the client_credentials grant: register the client for another grant, or ask the server's operator.",
    );
  return oauth2ClientCredentials({
    ...settings,
    tokenUrl: server.tokenEndpoint,
    clientSecret: settings.clientSecret!,
    extraParams: { resource }, // RFC 8707 §2: the token is for this resource only
    key: settings.key ?? `oauth2:client_credentials:${server.tokenEndpoint.href}:${settings.clientId}:${resource}`,
    ...(server.introspectionEndpoint ? { introspectionUrl: server.introspectionEndpoint } : {}),
    ...(server.revocationEndpoint ? { revocationUrl: server.revocationEndpoint } : {}),
  });
}
