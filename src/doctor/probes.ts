/**
 * The doctor's probes: real requests over node:http(s), so that header lines go out exactly as
 * given (two Authorization fields stay two) and redirects are followed by hand. Every probe is
 * bounded in time; a probe that fails is recorded, never thrown.
 */

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { maskHeader, redactText, secretRedactor } from '../http/index.ts';
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

/**
 * Sends one request and records it. What is recorded is what a report shows: credential headers
 * masked, and every form of the `secrets` (see secretRedactor) scrubbed from every header value,
 * the reason phrase, the body and the error, since a server may echo what it was sent. A probe
 * that needs more of the body than BODY_LIMIT says how much (`bodyLimit`, bytes).
 */
/** Probes whose URL a server (or a token) chose rather than the user. */
const SERVER_CHOSEN: ReadonlySet<ProbeName> = new Set(['redirect', 'issuer-metadata', 'jwks', 'resource-metadata']);

/**
 * Where a URL a server chose may not lead: 169.254.0.0/16 and fe80::/10 (RFC 3927, RFC 4291
 * §2.5.6), also with the IPv4 address carried in the last 32 bits of an IPv6 one (IPv4-mapped
 * ::ffff:0:0/96, SIIT's IPv4-translated ::ffff:0:0:0/96, NAT64's 64:ff9b::/96, RFC 6052), and the
 * cloud metadata endpoints outside those ranges (AWS over IPv6 at fd00:ec2::254, Alibaba at
 * 100.100.100.200). A host as Node's URL parser leaves it (decimal, hex and octal IPv4 are already
 * dotted quads, IPv6 compressed hex) or as a resolver answers it.
 */
export function isLinkLocal(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  const v4 = ipv4(bare);
  if (v4) return metadataV4(v4);
  const groups = ipv6(bare);
  if (!groups) return false;
  if ((groups[0]! & 0xffc0) === 0xfe80) return true;
  if (groups.join(':') === [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254].join(':')) return true;
  const zero = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  const embeds =
    (zero(0, 5) && groups[5] === 0xffff) ||
    (zero(0, 4) && groups[4] === 0xffff && groups[5] === 0) ||
    (groups[0] === 0x64 && groups[1] === 0xff9b && zero(2, 6));
  return embeds && metadataV4([groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff]);
}

const metadataV4 = (a: number[]) => (a[0] === 169 && a[1] === 254) || a.join('.') === '100.100.100.200';

function ipv4(text: string): number[] | undefined {
  const parts = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)?.slice(1).map(Number);
  return parts?.every((p) => p <= 255) ? parts : undefined;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted quad allowed), or undefined. */
function ipv6(text: string): number[] | undefined {
  if (!text.includes(':')) return undefined;
  let rest = text;
  const tail: number[] = [];
  const quad = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(rest);
  if (quad) {
    const v4 = ipv4(quad[1]!);
    if (!v4) return undefined;
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    rest = `${rest.slice(0, quad.index)}:`;
    if (rest.endsWith('::')) rest = `${rest}0`;
    else rest = rest.slice(0, -1);
  }
  const halves = rest.split('::');
  if (halves.length > 2) return undefined;
  const read = (half: string) => (half ? half.split(':') : []);
  const [head, after] = [read(halves[0]!), halves.length === 2 ? read(halves[1]!) : []];
  if (![...head, ...after].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  const missing = 8 - tail.length - head.length - after.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  return [...head, ...Array(missing).fill('0'), ...after].map((g) => parseInt(g, 16)).concat(tail);
}

/** dns.lookup, refusing a name that resolves to a link-local address. */
const refuseLinkLocal: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 4);
    const list = addresses as LookupAddress[];
    const bad = list.find((a) => isLinkLocal(a.address));
    if (bad)
      return callback(
        Object.assign(
          new Error(
            `${hostname} resolves to the link-local address ${bad.address}, which a server's URL may not lead to`,
          ),
          {
            code: 'ERR_GATEHOUSE_LINK_LOCAL',
          },
        ),
        '',
        4,
      );
    if ((options as { all?: boolean }).all) return (callback as (e: null, a: LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

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
    let outgoing: ReturnType<typeof httpRequest>;
    try {
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
      if (guarded && isLinkLocal(req.url.hostname)) {
        finish({
          error: `not sent: ${req.url.hostname} is a link-local address, which a server's URL may not lead to`,
        });
        return;
      }
      outgoing = request(req.url, {
        method: req.method,
        headers: lines.flat(),
        timeout: timeoutMs,
        rejectUnauthorized: true,
        ...(guarded ? { lookup: refuseLinkLocal } : {}),
      });
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
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < bodyLimit) chunks.push(chunk);
        size += chunk.length;
        // Bytes past the limit are never kept: stop reading rather than drain an endless body.
        if (size >= bodyLimit) done();
      });
      const done = () => {
        if (settled) return;
        // Whatever is left of the body is not read: the connection goes with it.
        if (!res.complete) outgoing.destroy();
        const headers: Array<[string, string]> = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
          headers.push([res.rawHeaders[i]!, redact(maskHeader(res.rawHeaders[i]!, res.rawHeaders[i + 1]!))]);
        const body = Buffer.concat(chunks).subarray(0, bodyLimit).toString('utf8');
        finish({
          response: {
            status: res.statusCode ?? 0,
            statusText: redact(res.statusMessage ?? ''),
            headers,
            body: redactText(body, secrets, bodyLimit),
          },
        });
      };
      answered = done;
      res.on('end', done);
      res.on('error', done);
    });
    if (req.body !== undefined) outgoing.write(req.body);
    outgoing.end();
  });
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
