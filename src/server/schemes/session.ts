/**
 * Cookie sessions: a signed cookie names the session; unsafe methods must also carry a CSRF
 * token derived from it (synchronizer token, HMAC-bound to the session). Cookies are issued
 * HttpOnly, Secure and SameSite=Lax.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalidArgument } from '../../http/argument-error.ts';
import type { SessionLookup } from '../../stores/lookups.ts';
import { type Principal, principalOf } from '../principal.ts';
import type { Refusal } from '../refusal.ts';
import type { Scheme } from '../scheme.ts';

export interface SessionSchemeOptions {
  /** At least 32 bytes; signs session ids and derives CSRF tokens. */
  secret: string;
  sessions: SessionLookup;
  /** @default 'gh_session' */
  cookieName?: string;
  /** @default 'x-csrf-token' */
  csrfHeader?: string;
}

export interface IssuedSession {
  /** The Set-Cookie value. */
  setCookie: string;
  /** For the page to send back in the CSRF header on unsafe requests. */
  csrfToken: string;
}

// RFC 9110 §9.2.1: the safe methods; everything else changes state and needs the CSRF token.
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

const mac = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest('base64url');

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function check(options: SessionSchemeOptions): void {
  if (typeof options?.secret !== 'string' || Buffer.byteLength(options.secret) < 32)
    throw invalidArgument('sessionScheme: secret must be at least 32 bytes');
}

/** Makes the cookie and CSRF token for a session that the application has just created. */
export function issueSession(
  sessionId: string,
  options: Pick<SessionSchemeOptions, 'secret' | 'cookieName'> & { maxAgeSeconds?: number },
): IssuedSession {
  check(options as SessionSchemeOptions);
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(sessionId))
    throw invalidArgument('issueSession: sessionId must be 16–128 URL-safe characters (make it random)');
  const name = options.cookieName ?? 'gh_session';
  const maxAge = options.maxAgeSeconds === undefined ? '' : `; Max-Age=${Math.floor(options.maxAgeSeconds)}`;
  return {
    setCookie: `${name}=${sessionId}.${mac(options.secret, `session:${sessionId}`)}; Path=/; HttpOnly; Secure; SameSite=Lax${maxAge}`,
    csrfToken: mac(options.secret, `csrf:${sessionId}`),
  };
}

export function sessionScheme(options: SessionSchemeOptions): Scheme<string> {
  check(options);
  if (!options.sessions || typeof options.sessions.findSession !== 'function')
    throw invalidArgument('sessionScheme: sessions must have findSession(id)');
  const cookieName = options.cookieName ?? 'gh_session';
  const csrfHeader = options.csrfHeader ?? 'x-csrf-token';
  const invalid: Refusal = {
    reason: 'credentials_invalid',
    scheme: 'session',
    detail: 'The session is not valid; sign in again.',
  };

  return {
    name: 'session',
    precedence: 10,
    detect(request) {
      const value = request.cookies.get(cookieName);
      return value === undefined ? { present: false } : { present: true, credentials: value };
    },
    async verify(value, request): Promise<Principal | Refusal> {
      const dot = value.lastIndexOf('.');
      const sessionId = value.slice(0, dot);
      if (dot <= 0 || !equal(value.slice(dot + 1), mac(options.secret, `session:${sessionId}`))) return invalid;
      const identity = await options.sessions.findSession(sessionId);
      if (!identity) return invalid;
      if (!SAFE.has(request.request.method)) {
        const token = request.request.headers.get(csrfHeader);
        if (!token || !equal(token, mac(options.secret, `csrf:${sessionId}`))) {
          return {
            reason: 'forbidden',
            scheme: 'session',
            detail: `This ${request.request.method} needs the session's CSRF token in the ${csrfHeader} header.`,
          };
        }
      }
      return principalOf(identity, 'session');
    },
    challenge: (realm) => ({ scheme: 'Cookie', params: { realm, 'cookie-name': cookieName } }),
    openapi: () => ({ type: 'apiKey', in: 'cookie', name: cookieName }),
  };
}
