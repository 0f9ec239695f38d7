/** What the redirect rules read of the redirects the doctor followed, and where a fix may be resent. */
import { sentUrl } from '../probes.ts';
import type { Context, Exchange } from '../types.ts';
import { probe, received, requestLine, statusLine } from './evidence.ts';

/** The exchange as given, then each redirect followed; empty when the first answer was no redirect. */
export function redirectHops(context: Context): Exchange[] {
  const status = context.primary.response?.status;
  const followed = probe(context, 'redirect');
  if (status === undefined || status < 300 || status >= 400 || followed.length === 0) return [];
  return [context.primary, ...followed];
}

/**
 * Where a redirect turned the request into another method (a 301 or 302 after a POST, a 303 after
 * anything but GET or HEAD, as browsers, fetch and curl -L do), or undefined when none did. The
 * body goes with the method: the doctor resends it only when the method stays.
 */
export function changedMethod(hops: readonly Exchange[]): { status: number; from: string; to: string } | undefined {
  const from = hops[0]?.request.method;
  if (!from || from === 'GET' || from === 'HEAD') return undefined;
  for (let i = 1; i < hops.length; i++) {
    const to = hops[i]!.request.method;
    if (to !== from) return { status: hops[i - 1]!.response?.status ?? 0, from, to };
  }
  return undefined;
}

/**
 * Why the request may not be resent to `target`, or undefined when it may. What the user gave for
 * `start` (credentials, body) goes to another origin only on the same host name and over https,
 * where the certificate vouches for that host (http → https, or another https port): never to
 * another host, never down to http, and never to another plain-http port, where any program on
 * that machine may be listening (whoever wrote the Location may have put one there).
 */
export function notResendable(start: URL, target: URL): string | undefined {
  if (target.origin === start.origin) return undefined;
  if (start.protocol === 'https:' && target.protocol === 'http:')
    return 'it would send your request, credentials and all, over plain http';
  if (start.hostname !== target.hostname)
    return `${target.hostname} is another host, and the doctor sends what you gave only to the host you named`;
  if (target.protocol !== 'https:')
    return `another port over plain http may be another program on that machine; only https, whose certificate vouches for ${target.hostname}, is trusted with what you gave`;
  return undefined;
}

/** The hops as evidence: each request line and status, with the Location that led on. */
export function hopLines(hops: readonly Exchange[]): string[] {
  return hops.flatMap((hop, i) => [
    requestLine(hop),
    statusLine(hop),
    ...(i + 1 < hops.length ? received(hop, 'location') : []),
  ]);
}

/**
 * The URL a hop went to, for resending: as it was sent (unmasked) when the doctor sent it, else the
 * one recorded, with a query the same as the original's taken from the original unmasked (a
 * recorded URL has its secrets masked).
 */
export function resendUrl(context: Context, hop: Exchange): URL {
  const sent = sentUrl(hop);
  if (sent) return new URL(sent);
  const url = new URL(hop.request.url);
  const recordedStart = new URL(context.primary.request.url);
  if (context.request && url.search === recordedStart.search) url.search = context.request.url.search;
  return url;
}

// Paths that are a sign-in step, as frameworks and identity providers name them: Django's
// /accounts/login/, Rails' Devise /users/sign_in, Spring's /login, an OAuth /authorize endpoint
// (RFC 6749 §3.1), Keycloak's /protocol/openid-connect/auth, SAML and SSO entry points.
const SIGN_IN_PATH = /(^|\/)(log-?in|log-?on|sign-?in|sign_in|sso|saml2?|authorize|openid-connect\/auth)(\/|\.|$)/i;
// Query parameters that carry the way back after signing in (Django next, Rails/Devise return_to,
// ASP.NET ReturnUrl, Spring/OAuth redirect_uri, Google continue, CAS service).
const WAY_BACK = /^(next|return_?to|return_?url|redirect|redirect_?to|redirect_?uri|continue|came_?from|service)$/i;

/**
 * Whether a redirect ends at a sign-in page rather than at the answer: its path names one (and the
 * URL asked for did not: /sso/settings to /sso/settings/ is a slash, not a sign-in), or its query
 * names the way back to the URL that was asked for. A 200 there is a login form.
 */
export function signInPage(page: URL, start: URL): boolean {
  if (SIGN_IN_PATH.test(page.pathname) && !SIGN_IN_PATH.test(start.pathname)) return true;
  const asked = start.pathname.length > 1 ? start.pathname : start.href;
  return [...page.searchParams].some(([name, value]) => WAY_BACK.test(name) && value.includes(asked));
}
