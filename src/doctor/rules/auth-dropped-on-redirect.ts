import { probe, received, requestLine, statusLine } from '../readings/evidence.ts';
import { changedMethod, notResendable, resendUrl, signInPage } from '../readings/redirect-hops.ts';
import type { Rule } from '../types.ts';

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
      const final = new URL(last.request.url);
      const refused = notResendable(start, final);
      const changed = changedMethod(hops);
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
        fix: [
          `Call ${next.origin} directly (the final URL), or fix the redirect on the server. Clients (fetch, Gatehouse, curl) do not send Authorization to another origin, on purpose; trust it explicitly only if you own both (Gatehouse: redirect.trustedOrigins).`,
          ...(changed
            ? [
                `On the way the ${changed.status} also turned the ${changed.from} into a ${changed.to} and dropped its body (RFC 9110 §15.4.2-§15.4.4; 307 and 308 keep them).`,
              ]
            : []),
          ...(refused ? [`The doctor did not resend the request to ${final.origin}: ${refused}.`] : []),
        ].join(' '),
      };
    }
    return undefined;
  },
  // The same request, credentials included, to the final origin: only on the same host over https
  // (see notResendable), never to another host, another plain-http port, nor down to http.
  remedy(context) {
    const last = probe(context, 'redirect').at(-1);
    if (!context.request || !last) return undefined;
    const target = resendUrl(context, last);
    // A sign-in page is not where the request is answered: nothing is resent there.
    if (notResendable(context.request.url, target) || signInPage(target, context.request.url)) return undefined;
    return {
      change: `sent the same request, credentials included, to ${last.request.url} (the same host)`,
      request: { ...context.request, url: target },
    };
  },
};
