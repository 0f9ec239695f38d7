/**
 * What the token's issuer and the API publish about keys and audience: discovery, JWKS, RFC 9728
 * resource metadata, and the signature check with the keys given or published.
 */
import { parseChallenges } from '../http/index.ts';
import { discoveryUrls, jwkSet, type KeySet } from './key-source.ts';
import { headerAll, send } from './probes.ts';
import { verifyToken } from './token-verify.ts';
import type { AuthorizationServerReading, Exchange, TokenVerification } from './types.ts';

/**
 * An issuer's metadata, read at the URLs its identifier gives (RFC 8414 §3.1, then OpenID
 * Discovery's), with what the document says its issuer is.
 */
export async function issuerMetadata(
  iss: unknown,
  exchanges: Exchange[],
  timeout: number,
  secrets: string[],
): Promise<{ metadata: Record<string, unknown>; reading: AuthorizationServerReading } | undefined> {
  if (typeof iss !== 'string' || !URL.canParse(iss)) return undefined;
  const issuer = new URL(iss);
  if (issuer.protocol !== 'https:' && issuer.protocol !== 'http:') return undefined;
  for (const candidate of discoveryUrls(issuer)) {
    const exchange = await send(
      'issuer-metadata',
      { method: 'GET', url: new URL(candidate), headers: [['Accept', 'application/json']] },
      timeout,
      secrets,
    );
    exchanges.push(exchange);
    const metadata = jsonObject(exchange);
    if (metadata)
      return { metadata, reading: { identifier: iss, url: exchange.request.url, issuer: metadata['issuer'] } };
  }
  return undefined;
}

export async function issuerKeys(iss: unknown, exchanges: Exchange[], timeout: number, secrets: string[]) {
  const read = await issuerMetadata(iss, exchanges, timeout, secrets);
  const metadata = read?.metadata;
  const reading = read?.reading;
  const jwksUri = typeof metadata?.['jwks_uri'] === 'string' ? metadata['jwks_uri'] : undefined;
  if (!jwksUri) return { metadata, jwks: undefined, reading };
  let jwksUrl: URL;
  try {
    jwksUrl = new URL(jwksUri);
  } catch {
    return { metadata, jwks: undefined, reading };
  }
  const exchange = await send(
    'jwks',
    { method: 'GET', url: jwksUrl, headers: [['Accept', 'application/json']] },
    timeout,
    secrets,
  );
  exchanges.push(exchange);
  const jwks = jsonObject(exchange);
  return {
    metadata,
    reading,
    jwks: Array.isArray(jwks?.['keys']) ? (jwks as { keys: Array<Record<string, unknown>> }) : undefined,
  };
}

/**
 * The API's own word on what tokens it takes: RFC 9728 §5.1 lets a 401's challenge name its
 * protected resource metadata (`resource_metadata`), whose `resource` is the audience a token must
 * carry and whose `authorization_servers` are the issuers it trusts. A document about another
 * resource is not used (`foreign` says what it named instead).
 */
export async function protectedResourceMetadata(
  primary: Exchange,
  exchanges: Exchange[],
  timeout: number,
  secrets: string[],
): Promise<{ metadata?: Record<string, unknown>; foreign?: { url: string; resource: unknown } }> {
  const challenges = parseChallenges(headerAll(primary.response?.headers, 'www-authenticate'));
  const named = challenges.map((c) => c.params['resource_metadata']).find((v) => v !== undefined);
  if (!named || !URL.canParse(named)) return {};
  const url = new URL(named);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return {};
  const exchange = await send(
    'resource-metadata',
    { method: 'GET', url, headers: [['Accept', 'application/json']] },
    timeout,
    secrets,
  );
  exchanges.push(exchange);
  const metadata = jsonObject(exchange);
  if (!metadata) return {};
  const resource = metadata['resource'];
  if (typeof resource === 'string' && covers(resource, new URL(primary.request.url))) return { metadata };
  return { foreign: { url: exchange.request.url, resource } };
}

/**
 * RFC 9728 §3.3: metadata named by a challenge describes the resource that was asked, or it MUST
 * NOT be used; whatever URL the challenge names, metadata about another API says nothing about this
 * one. The RFC asks for the identical URL; an API's resource identifier is commonly its base URL
 * (`https://api.example/` for `https://api.example/me`), so the same origin with a path the
 * request's falls under is taken as the same resource.
 */
function covers(resource: string, asked: URL): boolean {
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    return false;
  }
  const base = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return url.origin === asked.origin && (asked.pathname === url.pathname || asked.pathname.startsWith(base));
}

function jsonObject(exchange: Exchange): Record<string, unknown> | undefined {
  if (exchange.response?.status !== 200) return undefined;
  try {
    const value = JSON.parse(exchange.response.body);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The JWT's signature checked with the keys given, else with the key set its issuer publishes.
 * An unsigned token has no signature to check (alg_not_allowed names it).
 */
export async function checkSignature(
  token: string,
  header: Record<string, unknown>,
  given: KeySet | undefined,
  published: { keys: Array<Record<string, unknown>> } | undefined,
  exchanges: Exchange[],
): Promise<TokenVerification | undefined> {
  if (String(header['alg'] ?? '').toLowerCase() === 'none') return undefined;
  if (given) return { by: 'given', result: await verifyToken(token, given) };
  const keys = published ? jwkSet(published) : undefined;
  if (!keys?.length) return undefined;
  const from = exchanges.findLast((e) => e.probe === 'jwks')?.request.url ?? "the issuer's JWKS";
  return { by: 'issuer', result: await verifyToken(token, { keys, from }) };
}

/**
 * What the API says of itself and its issuers: its RFC 9728 document (when its challenge names one)
 * and the metadata of the first authorization server it lists, unless that issuer's was read
 * already (`read`, for the token's `iss`). A document about another resource is not followed.
 */
export async function resourceEvidence(
  primary: Exchange,
  read: AuthorizationServerReading[],
  exchanges: Exchange[],
  timeout: number,
  secrets: string[],
) {
  const { metadata, foreign } = await protectedResourceMetadata(primary, exchanges, timeout, secrets);
  const servers = metadata?.['authorization_servers'];
  const first: unknown = Array.isArray(servers) ? servers[0] : undefined;
  const authorizationServers = [...read];
  if (typeof first === 'string' && !read.some((r) => r.identifier === first)) {
    const server = await issuerMetadata(first, exchanges, timeout, secrets);
    if (server) authorizationServers.push(server.reading);
  }
  return {
    ...(metadata ? { resourceMetadata: metadata } : {}),
    ...(foreign ? { foreignResourceMetadata: foreign } : {}),
    ...(authorizationServers.length ? { authorizationServers } : {}),
  };
}
