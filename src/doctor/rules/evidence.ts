/** Quoting the lines of an exchange that show a finding: `> ` sent, `< ` received. */
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

export function describedAs(context: Context, pattern: RegExp): boolean {
  const texts = [
    ...context.challenges.map((c) => c.params['error_description'] ?? ''),
    String(context.problem?.detail ?? ''),
    String(context.problem?.['code'] ?? ''),
  ];
  return texts.some((t) => pattern.test(t));
}

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
