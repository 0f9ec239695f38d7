/** Quoting the lines of an exchange that show a finding: `> ` sent, `< ` received. */
import { isCredentialHeader, isReasonCode, parseChallenges } from '../../http/index.ts';
import type { ApiDescription, Context, Exchange } from '../types.ts';

export function statusLine(exchange: Exchange | undefined): string {
  if (!exchange?.response) return `< (no response: ${exchange?.error ?? 'not sent'})`;
  return `< HTTP ${exchange.response.status} ${exchange.response.statusText}`.trimEnd();
}

export function sent(exchange: Exchange | undefined, name: string): string[] {
  return (exchange?.request.headers ?? [])
    .filter(([n]) => n.toLowerCase() === name.toLowerCase())
    .map(([n, v]) => `> ${n}: ${v}`);
}

export function received(exchange: Exchange | undefined, name: string): string[] {
  return (exchange?.response?.headers ?? [])
    .filter(([n]) => n.toLowerCase() === name.toLowerCase())
    .map(([n, v]) => `< ${n}: ${v}`);
}

export function requestLine(exchange: Exchange): string {
  const url = new URL(exchange.request.url);
  return `> ${exchange.request.method} ${url.pathname}${url.search}  (${exchange.probe})`;
}

export const statusOf = (context: Context) => context.primary.response?.status;
export const probe = (context: Context, name: Exchange['probe']) => context.exchanges.filter((e) => e.probe === name);

/** The catalogue code or RFC 6750 error the server gave, lower-cased. */
export function serverError(context: Context): string | undefined {
  const code = context.problem?.['code'];
  if (typeof code === 'string') return code;
  for (const challenge of context.challenges) {
    if (challenge.params['error']) return challenge.params['error'].toLowerCase();
  }
  return undefined;
}

/**
 * Whether the server's words say `pattern`. Not when it named a catalogue code (src/http/reasons.ts):
 * that code is its reason, and the prose explains that reason in words that may name others
 * ("its issuer reports it unknown, expired or revoked" under `credentials_invalid`).
 */
export function describedAs(context: Context, pattern: RegExp): boolean {
  if (isReasonCode(context.problem?.['code'])) return false;
  const texts = [
    ...context.challenges.map((c) => c.params['error_description'] ?? ''),
    String(context.problem?.detail ?? ''),
    String(context.problem?.['code'] ?? ''),
  ];
  return texts.some((t) => pattern.test(t));
}

/** The names of the credential headers an exchange's request carried (Cookie included). */
export function credentialNames(exchange: Exchange | undefined): string[] {
  return [...new Set((exchange?.request.headers ?? []).filter(([n]) => isCredentialHeader(n)).map(([n]) => n))];
}

/**
 * What the server said in words, for evidence and for telling refusals apart: the challenge's
 * error_description, a JSON body's `detail`/`message`/`error_description`/`error`/`title` (DRF and
 * FastAPI use `detail`), or else the body's text with markup taken out (Django's HTML error pages).
 */
export function serverWords(exchange: Exchange | undefined): string | undefined {
  const response = exchange?.response;
  if (!response) return undefined;
  const described = parseChallenges(
    response.headers.filter(([n]) => n.toLowerCase() === 'www-authenticate').map(([, v]) => v),
  ).find((c) => c.params['error_description'])?.params['error_description'];
  if (described) return described;
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    const text = response.body
      .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    return text ? text.slice(0, 200) : undefined;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  for (const member of ['detail', 'message', 'error_description', 'error', 'title']) {
    const value = (body as Record<string, unknown>)[member];
    if (typeof value === 'string' && value) return value.slice(0, 200);
  }
  return undefined;
}

/** `< detail: "…"`: the server's words as an evidence line (none when it gave none). */
export function wordsLine(exchange: Exchange | undefined): string[] {
  const words = serverWords(exchange);
  return words ? [`< detail: ${JSON.stringify(words)}`] : [];
}

/** Whether two answers are the same to a client: status, challenge and body. */
export function sameAnswer(a: Exchange | undefined, b: Exchange | undefined): boolean {
  if (!a?.response || !b?.response) return false;
  const challenge = (e: Exchange) => received(e, 'www-authenticate').join('\n');
  return (
    a.response.status === b.response.status && challenge(a) === challenge(b) && a.response.body === b.response.body
  );
}

/** A server's words for "no credentials arrived": DRF "…credentials were not provided.", FastAPI "Not authenticated". */
export const SAYS_MISSING =
  /not (been )?provided|not authenticated|unauthenticated|authentication (is )?required|log ?in required|(no|missing) (credentials|token|authorization|api key)/i;

/** A server's words for credentials it read and refused: FastAPI "Could not validate credentials", DRF "Invalid token.". */
export const SAYS_REFUSED = /could not validate|invalid|incorrect|expired|revoked|malformed|bad credentials|signature/i;

/** The schemes an API's description declares, as one evidence line: `(/openapi.json declares: …)`. */
export function declaredLine(description: ApiDescription): string {
  const told = description.schemes.map((s) =>
    s.type === 'apiKey'
      ? `${s.name}: API key in ${s.in} ${s.parameter}`
      : s.type === 'http'
        ? `${s.name}: HTTP ${s.scheme}`
        : s.type === 'oauth2'
          ? `${s.name}: OAuth 2.0${s.tokenUrl ? `, token URL ${s.tokenUrl}` : ''}`
          : `${s.name}: OpenID Connect`,
  );
  return `(${new URL(description.url).pathname} declares ${told.join('; ')})`;
}
