/**
 * Recognising a CSRF refusal. Frameworks check a token on the unsafe methods (RFC 9110 §9.2.1) of
 * a cookie session, and answer 403 when it is missing: Django (`csrftoken` cookie, `X-CSRFToken`
 * header; over HTTPS also the Referer or Origin), Angular and Laravel (`XSRF-TOKEN` cookie,
 * `X-XSRF-TOKEN` header), Express csurf (`_csrf` secret cookie, `CSRF-Token`/`X-CSRF-Token`
 * header), Rails (`X-CSRF-Token`).
 */
import type { Exchange } from '../types.ts';
import { serverWords } from './evidence.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const CSRF_COOKIE = /csrf|xsrf/i;
const CSRF_HEADER = /^(x-csrftoken|x-xsrf-token|x-csrf-token|csrf-token|xsrf-token)$/i;
/** Django "CSRF Failed: CSRF token missing or incorrect.", "CSRF verification failed", Laravel "CSRF token mismatch". */
const SAYS_CSRF = /\bcsrf\b|xsrf/i;

/** The cookies of a request's Cookie lines, in order (RFC 6265 §4.2.1: `name=value; name=value`). */
export function cookiesOf(headers: ReadonlyArray<[string, string]>): Array<[name: string, value: string]> {
  return headers
    .filter(([n]) => n.toLowerCase() === 'cookie')
    .flatMap(([, v]) => v.split(';'))
    .map((pair): [string, string] => {
      const equals = pair.indexOf('=');
      return equals < 0 ? [pair.trim(), ''] : [pair.slice(0, equals).trim(), pair.slice(equals + 1).trim()];
    })
    .filter(([name]) => name.length > 0);
}

export const saysCsrf = (exchange: Exchange | undefined) => SAYS_CSRF.test(serverWords(exchange) ?? '');

export interface CsrfRefusal {
  /** The CSRF cookie sent, by name (a cookie session with its CSRF half). */
  cookie: string | undefined;
  /** The CSRF header sent, by name. */
  header: string | undefined;
  /** True when the server's own words name CSRF. */
  said: boolean;
}

/**
 * The CSRF refusal a 403 is, or undefined: the server's words name CSRF, or an unsafe method of
 * a cookie session that sent a CSRF cookie without any CSRF header (the header half missing).
 * A CSRF header sent and a 403 without CSRF words is left to the other rules: the check may have
 * passed and the refusal be a permission.
 */
export function csrfRefusal(exchange: Exchange): CsrfRefusal | undefined {
  if (exchange.response?.status !== 403) return undefined;
  const headers = exchange.request.headers;
  const cookie = cookiesOf(headers).find(([name]) => CSRF_COOKIE.test(name))?.[0];
  const header = headers.find(([n]) => CSRF_HEADER.test(n))?.[0];
  const said = saysCsrf(exchange);
  if (said) return { cookie, header, said };
  if (!SAFE.has(exchange.request.method.toUpperCase()) && cookie !== undefined && header === undefined)
    return { cookie, header, said };
  return undefined;
}
