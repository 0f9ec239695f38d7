import type { Rule } from '../types.ts';
import { probe, received, requestLine, statusLine } from './evidence.ts';

/** A redirect leaves the origin, so the client drops Authorization on the way. */
export const authDroppedOnRedirect: Rule = {
  code: 'auth_dropped_on_redirect',
  summary:
    'A redirect leaves the origin (another host, port or https → http), so clients drop Authorization on the way.',
  rank: 5,
  check(context) {
    if (context.authorization.length === 0) return undefined;
    const hops = [context.primary, ...probe(context, 'redirect')];
    const start = new URL(context.primary.request.url);
    for (let i = 0; i + 1 < hops.length; i++) {
      const next = new URL(hops[i + 1]!.request.url);
      if (next.origin === start.origin) continue;
      const last = hops.at(-1)!;
      const why =
        start.protocol === 'https:' && next.protocol === 'http:'
          ? 'https → http'
          : start.hostname !== next.hostname
            ? `another host (${start.hostname} → ${next.hostname})`
            : `another port (${start.port || 'default'} → ${next.port || 'default'})`;
      return {
        code: 'auth_dropped_on_redirect',
        severity: last.response?.status === 401 || last.response?.status === 403 ? 'error' : 'warning',
        title: `A redirect to ${why} drops the credentials`,
        evidence: [
          requestLine(hops[i]!),
          statusLine(hops[i]!),
          ...received(hops[i]!, 'location'),
          requestLine(hops[i + 1]!),
          statusLine(last),
        ],
        fix: `Call ${next.origin} directly (the final URL), or fix the redirect on the server. Clients (fetch, Gatehouse, curl) do not send Authorization to another origin, on purpose; trust it explicitly only if you own both (Gatehouse: redirect.trustedOrigins).`,
      };
    }
    return undefined;
  },
};
