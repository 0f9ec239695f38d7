/**
 * The doctor's probes: real requests over node:http(s), so that header lines go out exactly as
 * given (two Authorization fields stay two) and redirects are followed by hand. Every probe is
 * bounded in time; a probe that fails is recorded, never thrown.
 */

import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { maskHeader, redactText, secretRedactor } from '../http/index.ts';
import { isLinkLocal, refuseLinkLocal } from './link-local.ts';
import type { Exchange, ProbeName, ProbeRequest } from './types.ts';

export const BODY_LIMIT = 16_384; // bytes kept of a response body (a JWKS must fit)

/**
 * What the doctor acts on but a report never shows: the URL as it was sent and the Location as it
 * came, secrets unmasked. A redirect is followed (and a fix resent) to where the server pointed,
 * not to the masked copy in the report.
 */
const unmasked = new WeakMap<Exchange, { url: URL; location?: string }>();
export const sentUrl = (exchange: Exchange): URL | undefined => unmasked.get(exchange)?.url;
export const sentLocation = (exchange: Exchange): string | undefined => unmasked.get(exchange)?.location;

/** Probes whose URL a server (or a token) chose rather than the user. */
const SERVER_CHOSEN: ReadonlySet<ProbeName> = new Set(['redirect', 'issuer-metadata', 'jwks', 'resource-metadata']);

/**
 * Sends one request and records it. What is recorded is what a report shows: credential headers
 * masked, and every form of the `secrets` (see secretRedactor) scrubbed from every header value,
 * the reason phrase, the body and the error, since a server may echo what it was sent. A probe
 * that needs more of the body than BODY_LIMIT says how much (`bodyLimit`, bytes).
 */
export function send(
  probe: ProbeName,
  req: ProbeRequest,
  timeoutMs: number,
  secrets: string[],
  bodyLimit = BODY_LIMIT,
): Promise<Exchange> {
  const started = Date.now();
  const redact = secretRedactor(secrets);
  const recorded: Exchange = { probe, request: recordedRequest(req, redact) };
  return new Promise((resolve) => {
    let settled = false;
    let deadline: NodeJS.Timeout | undefined;
    const finish = (patch: Partial<Exchange>) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      const exchange: Exchange = {
        ...recorded,
        ...patch,
        ...(patch.error !== undefined ? { error: redact(patch.error) } : {}),
        durationMs: Date.now() - started,
      };
      unmasked.set(exchange, { url: req.url, ...(location !== undefined ? { location } : {}) });
      resolve(exchange);
    };
    let location: string | undefined;
    let outgoing: ClientRequest;
    try {
      const opened = openRequest(probe, req, timeoutMs);
      if (typeof opened === 'string') {
        finish({ error: opened });
        return;
      }
      outgoing = opened;
    } catch (error) {
      finish({ error: describe(error) });
      return;
    }
    // The socket's timeout is an idle timeout: a server that drips a byte at a time never trips it.
    // The deadline bounds the whole exchange; an answer whose body has not ended by then is kept
    // with what came of the body (status and headers are what the rules read).
    let answered: (() => void) | undefined;
    deadline = setTimeout(() => {
      if (answered) answered();
      else outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', (error) => finish({ error: describe(error) }));
    outgoing.on('response', (res: IncomingMessage) => {
      location = typeof res.headers.location === 'string' ? res.headers.location : undefined;
      answered = readAnswer(
        res,
        outgoing,
        bodyLimit,
        () => settled,
        (body) => finish({ response: recordedResponse(res, body, redact, secrets, bodyLimit) }),
      );
    });
    if (req.body !== undefined) outgoing.write(req.body);
    outgoing.end();
  });
}

/** The request on its way, or why it is not sent. */
function openRequest(probe: ProbeName, req: ProbeRequest, timeoutMs: number): ClientRequest | string {
  const request = req.url.protocol === 'https:' ? httpsRequest : httpRequest;
  // Header lines as a flat [name, value, name, value…] list: repeated names stay separate lines.
  // Given a list, Node adds no header of its own, so Host (required by HTTP/1.1) goes first.
  const lines = req.headers.some(([n]) => n.toLowerCase() === 'host')
    ? req.headers
    : [['Host', req.url.host] as [string, string], ...req.headers];
  // A URL the server chose (a redirect's Location, a jwks_uri, resource metadata) never leads to
  // a link-local address: that is where cloud instances keep their metadata and credentials
  // (169.254.169.254), and a report would carry what came back. A name is checked as it resolves.
  const guarded = SERVER_CHOSEN.has(probe);
  if (guarded && isLinkLocal(req.url.hostname))
    return `not sent: ${req.url.hostname} is a link-local address, which a server's URL may not lead to`;
  return request(req.url, {
    method: req.method,
    headers: lines.flat(),
    timeout: timeoutMs,
    rejectUnauthorized: true,
    ...(guarded ? { lookup: refuseLinkLocal } : {}),
  });
}

/**
 * Reads an answer's body up to `bodyLimit` bytes and hands it on once, when it ends or reaches the
 * limit; the function returned hands on what has come so far (when the deadline comes first).
 */
function readAnswer(
  res: IncomingMessage,
  outgoing: ClientRequest,
  bodyLimit: number,
  settled: () => boolean,
  answer: (body: string) => void,
): () => void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    if (size < bodyLimit) chunks.push(chunk);
    size += chunk.length;
    // Bytes past the limit are never kept: stop reading rather than drain an endless body.
    if (size >= bodyLimit) done();
  });
  const done = () => {
    if (settled()) return;
    // Whatever is left of the body is not read: the connection goes with it.
    if (!res.complete) outgoing.destroy();
    answer(Buffer.concat(chunks).subarray(0, bodyLimit).toString('utf8'));
  };
  res.on('end', done);
  res.on('error', done);
  return done;
}

/** An answer as a report shows it: credential headers masked, every given secret scrubbed. */
function recordedResponse(
  res: IncomingMessage,
  body: string,
  redact: (text: string) => string,
  secrets: string[],
  bodyLimit: number,
): NonNullable<Exchange['response']> {
  const headers: Array<[string, string]> = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
    headers.push([res.rawHeaders[i]!, redact(maskHeader(res.rawHeaders[i]!, res.rawHeaders[i + 1]!))]);
  return {
    status: res.statusCode ?? 0,
    statusText: redact(res.statusMessage ?? ''),
    headers,
    body: redactText(body, secrets, bodyLimit),
  };
}

/** A request as a report shows it: credential headers masked, every given secret scrubbed. */
function recordedRequest(req: ProbeRequest, redact: (text: string) => string): Exchange['request'] {
  return {
    method: req.method,
    url: redact(req.url.href),
    headers: req.headers.map(([n, v]) => [n, redact(maskHeader(n, v))]),
  };
}

/** A request the doctor chose not to send, recorded as a probe is (masked), with why. */
export function unsent(probe: ProbeName, req: ProbeRequest, secrets: string[], why: string): Exchange {
  const redact = secretRedactor(secrets);
  const exchange: Exchange = { probe, request: recordedRequest(req, redact), error: redact(why) };
  unmasked.set(exchange, { url: req.url });
  return exchange;
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_INVALID_CHAR')
    return 'a header value has a character HTTP cannot carry (a line break or control character)';
  if (code === 'ECONNREFUSED') return 'connection refused: nothing listens at that address';
  if (code === 'ENOTFOUND') return 'the host name does not resolve';
  if (code === 'ERR_GATEHOUSE_LINK_LOCAL') return message;
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

export const header = (headers: Array<[string, string]> | undefined, name: string): string | undefined =>
  headers?.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];

export const headerAll = (headers: Array<[string, string]> | undefined, name: string): string[] =>
  (headers ?? []).filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
