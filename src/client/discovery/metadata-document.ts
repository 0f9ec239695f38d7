/**
 * Fetching a metadata document whose URL a server chose (RFC 9728, RFC 8414): only https, or
 * http on a loopback host; never a link-local or cloud-metadata address; no redirects; a bounded
 * body read within a time limit; and a JSON object, or a DiscoveryError that says which.
 */
import { isLinkLocal } from '../../http/link-local-address.ts';
import { redactUrl } from '../../http/redact-url.ts';
import { readBodyStart } from '../errors/body-excerpt.ts';
import { DiscoveryError } from '../errors/discovery-error.ts';
import type { Transport } from '../transport.ts';

const DOCUMENT_LIMIT = 65_536; // bytes: metadata documents are a few KB
export const DISCOVERY_TIMEOUT = 10_000; // ms per document

/** Names that reach a cloud's instance metadata without being a link-local literal. */
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data']);

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Whether a host is this machine (RFC 8252 §8.3: the loopback interface). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

/**
 * Why the client will not send anything to `url`, or undefined when it may: https anywhere, http
 * only on a loopback host, and never a link-local or metadata address. With `sameSchemeAs`, the
 * scheme must be that URL's too (a document found over https does not lead to http).
 */
export function refusalOf(url: URL, sameSchemeAs?: URL): string | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'not an http(s) URL';
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    return 'plain http is allowed on a loopback host only: the server must use https';
  if (sameSchemeAs && url.protocol !== sameSchemeAs.protocol)
    return `its scheme is not ${sameSchemeAs.protocol.slice(0, -1)}, the scheme of the URL that led to it`;
  if (isLinkLocal(url.hostname) || METADATA_NAMES.has(url.hostname.toLowerCase().replace(/\.$/, '')))
    return 'it names a link-local or cloud-metadata address, which a server-chosen URL may never reach';
  if (url.username || url.password) return 'it carries userinfo';
  return undefined;
}

export interface DocumentFetch {
  fetch: Transport;
  signal: AbortSignal | undefined;
  timeoutMs: number;
}

/** The JSON object at `url`, fetched as the rules above allow; a DiscoveryError otherwise. */
export async function fetchMetadataDocument(
  url: URL,
  how: DocumentFetch,
  sameSchemeAs?: URL,
): Promise<Record<string, unknown>> {
  const shown = redactUrl(url.href);
  const refused = refusalOf(url, sameSchemeAs);
  if (refused) throw new DiscoveryError(shown, `${refused}. Nothing was fetched.`);
  const timeout = AbortSignal.timeout(how.timeoutMs);
  const signal = how.signal ? AbortSignal.any([how.signal, timeout]) : timeout;
  let response: Response;
  try {
    const send = how.fetch;
    response = await send(url.href, { headers: { accept: 'application/json' }, redirect: 'error', signal });
  } catch (error) {
    if (how.signal?.aborted) throw error;
    const why = timeout.aborted ? `it did not answer within ${how.timeoutMs} ms` : 'it could not be reached';
    throw new DiscoveryError(shown, `${why}; try again, or check that the server is up.`, { cause: error });
  }
  const { text, complete } = await readBodyStart(response, DOCUMENT_LIMIT);
  if (!response.ok) throw new DiscoveryError(shown, `it answered ${response.status}; the server must publish it.`);
  if (!complete) throw new DiscoveryError(shown, `it is larger than ${DOCUMENT_LIMIT} bytes, which no metadata is.`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    document = undefined;
  }
  if (!document || typeof document !== 'object' || Array.isArray(document))
    throw new DiscoveryError(shown, 'it is not a JSON object; the server must serve the metadata as JSON.');
  return document as Record<string, unknown>;
}

/** An absolute URL member of a document, allowed by the rules above; a DiscoveryError otherwise. */
export function endpointIn(document: Record<string, unknown>, member: string, where: string, from: URL): URL {
  const value = document[member];
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url) throw new DiscoveryError(where, `its ${member} is missing or not an absolute URL.`);
  const refused = refusalOf(url, from);
  if (refused) throw new DiscoveryError(where, `its ${member} was refused: ${refused}.`);
  return url;
}
