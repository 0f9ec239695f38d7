/**
 * A guard against DNS rebinding. A page on evil.example whose name the attacker re-binds to
 * 127.0.0.1 is same-origin with a playground listening there, so CORS never applies and the page
 * reads every answer. A playground on loopback therefore answers only a Host that names it the
 * way this machine does: localhost or *.localhost (RFC 6761 §6.3: never sent to DNS), an IP
 * address (no name, nothing to re-bind), or a name given with `--allowed-host`.
 */
import { isIP } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import { invalidArgument } from '../http/argument-error.ts';
import { problemResponse } from '../server/server-failure.ts';

/** localhost, 127.0.0.0/8 or ::1 (bracketed or not): where only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return bare === 'localhost' || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
}

/** An `--allowed-host` value as the hostname a URL holds (lower-case); throws a coded TypeError otherwise. */
export function allowedHostName(value: string): string {
  const url = URL.canParse(`http://${value}/`) ? new URL(`http://${value}/`) : undefined;
  if (!url || url.host !== value.toLowerCase() || url.port || !url.hostname)
    throw invalidArgument(`allowed host ${JSON.stringify(value)} is not a host name; give one as app.example.test`);
  return url.hostname;
}

export function hostCheck(names: readonly string[]): MiddlewareHandler {
  const allowed = new Set(names);
  return async (c, next) => {
    // @hono/node-server built the URL from the Host header, normalised as a browser would.
    const { hostname } = new URL(c.req.url);
    if (
      allowed.has(hostname) ||
      hostname === 'localhost' ||
      hostname.endsWith('.localhost') ||
      isIP(hostname) !== 0 ||
      hostname.startsWith('[')
    )
      return next();
    // RFC 9110 §15.5.20: 421, the server will not answer for this authority.
    return problemResponse(
      'host_not_served',
      'This playground listens on loopback and answers Host localhost, an IP address, or a name given with --allowed-host (a guard against DNS rebinding).',
    );
  };
}
