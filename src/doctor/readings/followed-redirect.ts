/**
 * A request that is answered only after a redirect, where no credentials were lost on the way (that
 * is auth_dropped_on_redirect's, and never reported twice). Two codes, because they are fixed in
 * different places: `trailing_slash_redirect`, the server's slash policy (Django's APPEND_SLASH,
 * Starlette's redirect_slashes), and `redirected`, any other redirect. Either names the URL to call,
 * warns that a 301 or 302 may turn a POST into a GET, and is an error when the redirect did just that.
 */
import { isCredentialHeader } from '../../http/index.ts';
import { authDroppedOnRedirect } from '../rules/auth-dropped-on-redirect.ts';
import { signInRedirect } from '../rules/sign-in-redirect.ts';
import type { Context, Exchange, Finding, Remedy, Severity } from '../types.ts';
import { changedMethod, hopLines, notResendable, redirectHops, resendUrl } from './redirect-hops.ts';

interface Followed {
  hops: Exchange[];
  start: URL;
  final: Exchange;
  /** Where to call: the URL with (or without) the slash for a slash redirect, else the final one. */
  shown: URL;
  /** The same, unmasked, to resend to (never reported). */
  target: URL;
  slash: 'added' | 'removed' | undefined;
  changed: ReturnType<typeof changedMethod>;
}

export function followed(context: Context): Followed | undefined {
  const hops = redirectHops(context);
  // A sign-in page is no place to call: sign_in_redirect says what happened instead.
  if (hops.length === 0 || authDroppedOnRedirect.check(context) || signInRedirect.check(context)) return undefined;
  const start = new URL(context.primary.request.url);
  const next = new URL(hops[1]!.request.url);
  const sameOriginAndQuery = next.origin === start.origin && next.search === start.search;
  const slash =
    sameOriginAndQuery && next.pathname === `${start.pathname}/`
      ? 'added'
      : sameOriginAndQuery && start.pathname === `${next.pathname}/`
        ? 'removed'
        : undefined;
  const final = hops.at(-1)!;
  const pointed = slash ? hops[1]! : final;
  return {
    hops,
    start,
    final,
    shown: new URL(pointed.request.url),
    target: resendUrl(context, pointed),
    slash,
    changed: changedMethod(hops),
  };
}

const ok = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;

/** Shown as a path when it stays on the origin, whole otherwise. */
const display = (url: URL, start: URL) => (url.origin === start.origin ? `${url.pathname}${url.search}` : url.href);

export function finding(code: string, context: Context, f: Followed): Finding {
  const { hops, start, final, shown, slash, changed } = f;
  const method = hops[0]!.request.method;
  const finalStatus = final.response?.status;
  const redirects = hops.slice(0, -1).map((h) => h.response?.status ?? 0);
  const seeOther = changed?.status === 303;
  const severity: Severity = changed && !seeOther ? 'error' : ok(finalStatus) ? 'warning' : 'info';
  const where = display(shown, start);
  const hadBody = context.request?.body !== undefined;

  let title =
    slash === 'added'
      ? `The server redirects to the URL with the trailing slash (${where})`
      : slash === 'removed'
        ? `The server redirects to the URL without the trailing slash (${where})`
        : `The request is redirected to ${where}`;
  if (changed && !seeOther)
    title = `The ${changed.status} redirect${slash ? ` to the ${slash === 'added' ? 'trailing-slash' : 'slash-less'} URL` : ''} turned the ${changed.from} into a ${changed.to}${hadBody ? ' and dropped its body' : ''}${ok(finalStatus) ? ': the request that succeeded was not the one you sent' : ''}`;
  else if (seeOther) title = `The server answered the ${changed.from} with 303 See Other, pointing to ${where}`;
  else if (!ok(finalStatus))
    title += final.response || !final.error ? ` (where it answers ${finalStatus ?? 'nothing'})` : ` (${final.error})`;

  const fix: string[] = [];
  if (seeOther)
    fix.push(
      `A 303 sends the client on with a GET, by design (RFC 9110 §15.4.4): the server took the ${changed.from} and points to its result at ${shown.href}.`,
    );
  else
    fix.push(
      `Call ${shown.href} directly${slash === 'added' ? ', with the trailing slash' : slash === 'removed' ? ', without the trailing slash' : ''}: it is where the server answers${ok(finalStatus) ? '' : diagnosedThere(hops, start, finalStatus) ? `, with ${finalStatus}; why is diagnosed in the findings before this one` : `, with ${finalStatus ?? 'no answer'}; run the doctor on that URL to see why`}.`,
    );
  if (slash === 'added')
    fix.push(
      "The server adds the slash by redirecting (Django's CommonMiddleware with APPEND_SLASH; Starlette's redirect_slashes for a route declared with one), and a redirect cannot be trusted to carry a POST's body: Django refuses such a POST with an error when DEBUG is on, and answers it with a 301 when DEBUG is off.",
    );
  else if (slash === 'removed')
    fix.push(
      "The server drops the slash by redirecting (Starlette's redirect_slashes, on by default in FastAPI, for a route declared without one): call the URL as the route is declared.",
    );
  const lossy = redirects.find((s) => s === 301 || s === 302);
  if (changed && !seeOther)
    fix.push(
      `A ${changed.status} lets clients turn a POST into a GET and drop its body (RFC 9110 ${changed.status === 301 ? '§15.4.2' : '§15.4.3'}); browsers, fetch and curl -L do so, and so did the doctor. Send the ${changed.from} to ${shown.href} itself; a server that must redirect it keeps method and body with 307 or 308 (§15.4.8, §15.4.9).`,
    );
  else if (lossy && (method === 'GET' || method === 'HEAD'))
    fix.push(
      `A ${method} comes through, but a POST to this URL would not: a ${lossy} lets clients turn a POST into a GET and drop its body (RFC 9110 §15.4.2, §15.4.3); only 307 and 308 keep the method and body (§15.4.8, §15.4.9).`,
    );
  else if (!changed && method !== 'GET' && method !== 'HEAD')
    fix.push(
      redirects.every((s) => s === 307 || s === 308)
        ? `The ${redirects.at(-1)} kept the method and body (RFC 9110 §15.4.8, §15.4.9): the ${method} arrived as sent, one round trip later.`
        : `The ${method} kept its method and body through the ${lossy ?? redirects[0]} (clients change only a POST there), but only 307 and 308 promise that (RFC 9110 §15.4.8, §15.4.9).`,
    );
  // Authorization lost this way is auth_dropped_on_redirect's finding; other credential fields are said here.
  const left = hops.find((h) => new URL(h.request.url).origin !== start.origin);
  const dropped = [...new Set(hops[0]!.request.headers.filter(([n]) => isCredentialHeader(n)).map(([n]) => n))];
  if (left && dropped.length > 0)
    fix.push(
      `On the way to ${new URL(left.request.url).origin} the doctor left out ${dropped.join(', ')}, as clients do for another origin.`,
    );
  const refused = severity !== 'info' && !seeOther ? notResendable(start, shown) : undefined;
  if (refused) fix.push(`The doctor did not resend the request to ${shown.origin}: ${refused}.`);

  return { code, severity, title, evidence: hopLines(hops), fix: fix.join(' ') };
}

/** The doctor diagnoses the final answer itself when the hops stayed on the origin and it is a 4xx. */
function diagnosedThere(hops: Exchange[], start: URL, status: number | undefined): boolean {
  return (
    status !== undefined &&
    status >= 400 &&
    status < 500 &&
    hops.every((h) => new URL(h.request.url).origin === start.origin)
  );
}

/** The original request (method, headers, body as given), sent to where the server pointed. */
export function resend(context: Context, f: Followed): Remedy | undefined {
  if (!context.request || f.changed?.status === 303 || notResendable(f.start, f.target)) return undefined;
  const method = context.request.method;
  const where = display(f.shown, f.start);
  const change =
    f.slash === 'added'
      ? `added the trailing slash: the same ${method} to ${where}`
      : f.slash === 'removed'
        ? `removed the trailing slash: the same ${method} to ${where}`
        : `sent the same ${method} to the final URL ${where}`;
  return { change, request: { ...context.request, url: f.target } };
}
