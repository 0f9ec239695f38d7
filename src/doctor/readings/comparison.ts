/**
 * The answer with credentials set against the answer without them (the 'without-credentials'
 * probe): the one comparison that tells "the server read the credentials and refused them" (the
 * answers differ) from "the credentials never reached it" (the answers are the same).
 */
import { isCredentialHeader, parseChallenges } from '../../http/index.ts';
import { headerAll } from '../probes.ts';
import type { Context, Exchange } from '../types.ts';
import { probe, requestLine, statusLine } from './evidence.ts';

export type Difference = 'status' | 'challenge' | 'body';

export interface Comparison {
  /** The answer to the same request without any credential header. */
  without: Exchange;
  /** What differs between the two answers; empty when they are the same. */
  differs: Difference[];
}

/** The two answers compared, when both came (the probe is sent for a 4xx to a request with credentials). */
export function compareWithout(context: Context): Comparison | undefined {
  const [without, again] = probe(context, 'without-credentials');
  if (!context.primary.response || !without?.response) return undefined;
  const differs = differences(context.primary, without);
  // The same request without credentials answered with another body: the body changes on every
  // answer (a nonce, a request id) and tells nothing about the credentials.
  if (again?.response && differences(without, again).includes('body'))
    return { without, differs: differs.filter((d) => d !== 'body') };
  return { without, differs };
}

export function differences(a: Exchange, b: Exchange): Difference[] {
  const differs: Difference[] = [];
  if (a.response?.status !== b.response?.status) differs.push('status');
  if (challengeKey(a) !== challengeKey(b)) differs.push('challenge');
  if (comparable(a.response?.body ?? '') !== comparable(b.response?.body ?? '')) differs.push('body');
  return differs;
}

// Parameters that change on every answer by design (RFC 7616 §3.3: a fresh nonce per challenge).
const PER_ANSWER_PARAMS = new Set(['nonce', 'opaque']);

function challengeKey(exchange: Exchange): string {
  const challenges = parseChallenges(headerAll(exchange.response?.headers, 'www-authenticate'));
  return JSON.stringify(
    challenges.map((c) => [
      c.scheme.toLowerCase(),
      c.token68 ?? '',
      Object.entries(c.params)
        .filter(([name]) => !PER_ANSWER_PARAMS.has(name))
        .sort(([x], [y]) => x.localeCompare(y)),
    ]),
  );
}

/**
 * A body with what differs between any two answers taken out (request ids, trace ids, timestamps),
 * so that two refusals for the same reason compare equal and a differing body means a differing reason.
 */
function comparable(body: string): string {
  return body
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
    .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/g, '<time>')
    .replace(/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT\b/g, '<time>')
    .replace(/\b[0-9a-f]{16,}\b/gi, '<id>')
    .replace(/\d{6,}/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The start of a body as one evidence line, whitespace folded (already masked by the probes). */
export function bodyLine(exchange: Exchange): string[] {
  const body = (exchange.response?.body ?? '').replace(/\s+/g, ' ').trim();
  if (!body) return ['< (empty body)'];
  return [`< ${body.length > 200 ? `${body.slice(0, 200)}…` : body}`];
}

function answerLines(exchange: Exchange): string[] {
  const challenges = headerAll(exchange.response?.headers, 'www-authenticate');
  return [
    statusLine(exchange),
    ...(challenges.length
      ? challenges.map((c) => `< WWW-Authenticate: ${c}`)
      : exchange.response
        ? ['< (no WWW-Authenticate)']
        : []),
    ...(exchange.response ? bodyLine(exchange) : []),
  ];
}

/**
 * The two exchanges as evidence: the request with its (masked) credentials and its answer, then
 * the answer without them, quoted in full where it differs and summed up where it does not.
 */
export function contrast(context: Context, comparison: Comparison): string[] {
  const credentialLines = context.primary.request.headers
    .filter(([name]) => isCredentialHeader(name))
    .map(([name, value]) => `> ${name}: ${value}`);
  const lines = [requestLine(context.primary), ...credentialLines, ...answerLines(context.primary)];
  lines.push(requestLine(comparison.without));
  if (comparison.differs.length === 0) lines.push('< the same status, the same challenge, the same body');
  else lines.push(...answerLines(comparison.without));
  return lines;
}
