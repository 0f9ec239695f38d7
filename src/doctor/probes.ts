/**
 * The doctor's probes: real requests over node:http(s), so that header lines go out exactly as
 * given (two Authorization fields stay two) and redirects are followed by hand. Every probe is
 * bounded in time; a probe that fails is recorded, never thrown.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { maskHeader, redactText, secretRedactor } from '../http/index.ts';
import type { Exchange, ProbeName } from './types.ts';

export interface ProbeRequest {
  method: string;
  url: URL;
  headers: Array<[string, string]>;
  body?: string;
}

export const BODY_LIMIT = 16_384; // bytes kept of a response body (a JWKS must fit)

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
  const recorded: Exchange = {
    probe,
    request: {
      method: req.method,
      url: redact(req.url.href),
      headers: req.headers.map(([n, v]) => [n, redact(maskHeader(n, v))]),
    },
  };
  return new Promise((resolve) => {
    const finish = (patch: Partial<Exchange>) =>
      resolve({
        ...recorded,
        ...patch,
        ...(patch.error !== undefined ? { error: redact(patch.error) } : {}),
        durationMs: Date.now() - started,
      });
    let outgoing: ReturnType<typeof httpRequest>;
    try {
      const request = req.url.protocol === 'https:' ? httpsRequest : httpRequest;
      // Header lines as a flat [name, value, name, value…] list: repeated names stay separate lines.
      // Given a list, Node adds no header of its own, so Host (required by HTTP/1.1) goes first.
      const lines = req.headers.some(([n]) => n.toLowerCase() === 'host')
        ? req.headers
        : [['Host', req.url.host] as [string, string], ...req.headers];
      outgoing = request(req.url, {
        method: req.method,
        headers: lines.flat(),
        timeout: timeoutMs,
        rejectUnauthorized: true,
      });
    } catch (error) {
      finish({ error: describe(error) });
      return;
    }
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', (error) => finish({ error: describe(error) }));
    outgoing.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < bodyLimit) chunks.push(chunk);
        size += chunk.length;
      });
      const done = () => {
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
      res.on('end', done);
      res.on('error', done);
    });
    if (req.body !== undefined) outgoing.write(req.body);
    outgoing.end();
  });
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_INVALID_CHAR')
    return 'a header value has a character HTTP cannot carry (a line break or control character)';
  if (code === 'ECONNREFUSED') return 'connection refused: nothing listens at that address';
  if (code === 'ENOTFOUND') return 'the host name does not resolve';
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

export const header = (headers: Array<[string, string]> | undefined, name: string): string | undefined =>
  headers?.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];

export const headerAll = (headers: Array<[string, string]> | undefined, name: string): string[] =>
  (headers ?? []).filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
