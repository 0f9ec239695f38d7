/**
 * How the API's own description says to authenticate, for a 401 or 403 that names no scheme: its
 * OpenAPI document (FastAPI serves one at /openapi.json by default), read for
 * `components.securitySchemes` (OpenAPI 3) or `securityDefinitions` (Swagger 2), narrowed to the
 * operation's own `security` requirement where the description has the path.
 * @see https://spec.openapis.org/oas/v3.1.0#security-scheme-object
 * @see https://swagger.io/specification/v2/#security-definitions-object
 */
import { parseChallenges } from '../http/index.ts';
import { BODY_LIMIT, headerAll, send } from './probes.ts';
import type { ApiDescription, ApiScheme, Exchange } from './types.ts';

/** Where descriptions are served by default: FastAPI, then Swagger 2 tools, then under /api. */
export const DESCRIPTION_PATHS = ['/openapi.json', '/swagger.json', '/api/openapi.json'] as const;

// Bytes read of a description: generators write `components` after every path, so the schemes come
// last, and a real API's document is far larger than what a report keeps of a body.
const DESCRIPTION_LIMIT = 2_097_152;

/**
 * Asks the origin for its description when the answer is a 401 or 403 without a challenge, and
 * returns the schemes that apply to `method url`. Only the origin of `url` is asked, with GET and no
 * credentials: the description is public or it is no help here.
 */
export async function fetchApiDescription(
  url: URL,
  method: string,
  primary: Exchange,
  exchanges: Exchange[],
  timeoutMs: number,
  secrets: string[],
): Promise<ApiDescription | undefined> {
  const response = primary.response;
  if (response?.status !== 401 && response?.status !== 403) return undefined;
  if (parseChallenges(headerAll(response.headers, 'www-authenticate')).length > 0) return undefined;
  for (const path of DESCRIPTION_PATHS) {
    const where = new URL(path, url.origin);
    const exchange = await send(
      'api-description',
      { method: 'GET', url: where, headers: [['Accept', 'application/json']] },
      timeoutMs,
      secrets,
      DESCRIPTION_LIMIT,
    );
    exchanges.push(exchange);
    // No answer at all: the next path on the same origin would fare no better.
    if (!exchange.response) return undefined;
    const document = exchange.response?.status === 200 ? parseDocument(exchange.response.body) : undefined;
    // The report keeps what it keeps of any body; the schemes are what was needed of the rest.
    if (exchange.response && exchange.response.body.length > BODY_LIMIT)
      exchange.response.body = `${exchange.response.body.slice(0, BODY_LIMIT)}…`;
    if (!document) continue;
    const schemes = applicableSchemes(document, where, url, method);
    return schemes.length > 0 ? { url: where.href, schemes } : undefined;
  }
  return undefined;
}

type Json = Record<string, unknown>;

function parseDocument(body: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(body);
    if (!isObject(value)) return undefined;
    return typeof value['openapi'] === 'string' || typeof value['swagger'] === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The schemes the operation `method url` requires, or every declared scheme when the description
 * does not say (no such path, no `security`, or `security: []` while the server asks anyway).
 */
export function applicableSchemes(document: Json, source: URL, url: URL, method: string): ApiScheme[] {
  const declared = declaredSchemes(document, source);
  const operation = findOperation(document, source, url, method);
  const requirement = operation?.['security'] ?? document['security'];
  if (!Array.isArray(requirement)) return declared;
  const names = new Set(requirement.filter(isObject).flatMap((r) => Object.keys(r)));
  const required = declared.filter((s) => names.has(s.name));
  return required.length > 0 ? required : declared;
}

function declaredSchemes(document: Json, source: URL): ApiScheme[] {
  const components = document['components'];
  const table = isObject(components) ? components['securitySchemes'] : document['securityDefinitions'];
  if (!isObject(table)) return [];
  const schemes: ApiScheme[] = [];
  for (const [name, entry] of Object.entries(table)) {
    if (!isObject(entry)) continue;
    const scheme = toScheme(name, entry, source);
    if (scheme) schemes.push(scheme);
  }
  return schemes;
}

function toScheme(name: string, entry: Json, source: URL): ApiScheme | undefined {
  const text = (key: string) => (typeof entry[key] === 'string' ? (entry[key] as string) : undefined);
  switch (text('type')) {
    case 'apiKey': {
      const where = text('in');
      const parameter = text('name');
      if ((where === 'header' || where === 'query' || where === 'cookie') && parameter)
        return { type: 'apiKey', name, in: where, parameter };
      return undefined;
    }
    case 'http':
      return text('scheme') ? { type: 'http', name, scheme: text('scheme')! } : undefined;
    // Swagger 2 has Basic only, under its own type.
    case 'basic':
      return { type: 'http', name, scheme: 'basic' };
    case 'oauth2': {
      // OpenAPI 3 keeps a token URL per flow; Swagger 2 one per scheme. Relative URLs are read
      // against the description's own URL.
      const flows = isObject(entry['flows']) ? Object.values(entry['flows']).filter(isObject) : [entry];
      const tokenUrl = flows.map((f) => f['tokenUrl']).find((u) => typeof u === 'string');
      const resolved = typeof tokenUrl === 'string' ? absolute(tokenUrl, source) : undefined;
      return { type: 'oauth2', name, ...(resolved ? { tokenUrl: resolved } : {}) };
    }
    case 'openIdConnect': {
      const discovery = text('openIdConnectUrl');
      const resolved = discovery ? absolute(discovery, source) : undefined;
      return { type: 'openIdConnect', name, ...(resolved ? { discoveryUrl: resolved } : {}) };
    }
    default:
      return undefined;
  }
}

/**
 * The operation object for `method url`: the description's paths are relative to its base path
 * (Swagger 2 `basePath`, OpenAPI 3 `servers[].url`), and `{name}` stands for text within one segment.
 */
function findOperation(document: Json, source: URL, url: URL, method: string): Json | undefined {
  const paths = document['paths'];
  if (!isObject(paths)) return undefined;
  const bases = new Set(['']);
  if (typeof document['basePath'] === 'string') bases.add(document['basePath'].replace(/\/$/, ''));
  for (const server of Array.isArray(document['servers']) ? document['servers'] : []) {
    const base = isObject(server) && typeof server['url'] === 'string' ? absolute(server['url'], source) : undefined;
    if (base) bases.add(new URL(base).pathname.replace(/\/$/, ''));
  }
  const wanted = url.pathname.split('/');
  // A concrete path wins over a template that also matches (OpenAPI 3, Paths Object: /users/me before /users/{id}).
  const entries = Object.entries(paths).sort(([a], [b]) => Number(a.includes('{')) - Number(b.includes('{')));
  for (const [template, item] of entries) {
    if (!isObject(item)) continue;
    for (const base of bases) {
      const pattern = `${base}${template}`.split('/');
      if (pattern.length !== wanted.length || !pattern.every((p, i) => segmentMatches(p, wanted[i]!))) continue;
      const operation = item[method.toLowerCase()];
      return isObject(operation) ? operation : undefined;
    }
  }
  return undefined;
}

/** One path segment against its template: literal text in order, each `{name}` at least one character. */
function segmentMatches(template: string, segment: string): boolean {
  const literals = template.split(/\{[^}]*\}/);
  if (literals.length === 1) return template === segment;
  if (!segment.startsWith(literals[0]!)) return false;
  let at = literals[0]!.length;
  for (const literal of literals.slice(1, -1)) {
    const found = literal ? segment.indexOf(literal, at + 1) : at + 1;
    if (found < 0) return false;
    at = found + literal.length;
  }
  const last = literals.at(-1)!;
  return segment.length - last.length > at && segment.endsWith(last);
}

function absolute(reference: string, base: URL): string | undefined {
  try {
    return new URL(reference, base).href;
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
