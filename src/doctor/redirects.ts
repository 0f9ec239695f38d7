/** Following redirects hop by hop, as a careful client does: nothing of the user's leaves the origin. */
import { isSecretParam, secretForms, secretRedactor } from '../http/index.ts';
import { CONTENT_HEADERS, redirectedMethod } from '../http/redirect-method.ts';
import { header, send, sentLocation, unsent } from './probes.ts';
import { SAFE_METHODS } from './prove.ts';
import type { Exchange, ProbeRequest } from './types.ts';

/** The last hop of a redirect chain that stayed on the origin and ended in a 4xx, as it was sent. */
export function refusedAfterRedirects(base: ProbeRequest, exchanges: Exchange[]): ProbeRequest | undefined {
  const hops = exchanges.filter((e) => e.probe === 'redirect');
  const last = hops.at(-1);
  const status = last?.response?.status;
  if (!last || status === undefined || status < 400 || status >= 500) return undefined;
  const sent = followedRequests.get(last);
  if (!sent || hops.some((h) => !followedRequests.get(h) || followedRequests.get(h)!.url.origin !== base.url.origin))
    return undefined;
  return sent;
}

/** Each redirect hop's request as sent (unmasked; never reported), for diagnosing the final answer. */
const followedRequests = new WeakMap<Exchange, ProbeRequest>();

/**
 * Header fields that say only how to read the answer: all of the user's request that goes to an
 * origin they did not name. The doctor cannot know every API's key header (`X-ApiKey`,
 * `X-Tenant-Secret`…), so everything else stays behind, not only the known credential fields.
 */
const HARMLESS_ELSEWHERE = new Set(['accept', 'accept-language', 'user-agent', 'cache-control', 'pragma']);

export async function followRedirects(
  base: ProbeRequest,
  first: Exchange,
  exchanges: Exchange[],
  timeout: number,
  secrets: string[],
): Promise<void> {
  let current = first;
  let url = base.url;
  let headers = base.headers;
  let method = base.method;
  let body = base.body;
  // Once a Location leads off the origin, whoever wrote the next one chose the way: nothing of
  // the user's follows for the rest of the chain, even back to the origin they named.
  let left = false;
  for (let hop = 0; hop < 10; hop++) {
    const location = sentLocation(current) ?? header(current.response?.headers, 'location');
    const status = current.response?.status ?? 0;
    if (!location || status < 300 || status >= 400) return;
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      return; // a Location that is no URL ends the chain; the rules quote it as it came
    }
    // RFC 9110 §15.4.2–§15.4.4, from the method of the hop before: a 303 turns a POST into a GET
    // for good, and a later 307 keeps that GET.
    const rewritten = redirectedMethod(method, status);
    method = rewritten.method;
    if (rewritten.dropsBody) {
      body = undefined;
      headers = headers.filter(([n]) => !CONTENT_HEADERS.includes(n.toLowerCase()));
    }
    if (next.origin !== base.url.origin) left = true;
    if (left) {
      headers = headers.filter(([n]) => HARMLESS_ELSEWHERE.has(n.toLowerCase()));
      body = undefined;
      const refused = notFollowed(next, method, secrets);
      if (refused) {
        exchanges.push(unsent('redirect', { method, url: next, headers }, secrets, `not followed: ${refused}`));
        return;
      }
    }
    url = next;
    const request: ProbeRequest = { method, url, headers, ...(body !== undefined ? { body } : {}) };
    current = await send('redirect', request, timeout, secrets);
    followedRequests.set(current, request);
    exchanges.push(current);
  }
}

/**
 * Why a hop to an origin the user did not name is not sent, or undefined when it may be (as a GET
 * or HEAD with none of the user's headers). An unsafe method (RFC 9110 §9.2.1) would act on a
 * server the user never named, wherever the Location points (an internal host included). The
 * query loses the parameters that carry a credential (as the client does, see
 * client/redirect.ts); a credential anywhere else in the URL (path, host name: its DNS lookup
 * would carry it) keeps the hop from being sent.
 */
function notFollowed(next: URL, method: string, secrets: string[]): string | undefined {
  if (!SAFE_METHODS.has(method))
    return `the doctor sends no ${method} to ${next.origin}, an origin other than the one you named`;
  const forms = new Set(secrets.flatMap((s) => secretForms(s)));
  for (const [name, value] of [...next.searchParams])
    if (isSecretParam(name) || forms.has(value)) next.searchParams.delete(name, value);
  const scrub = secretRedactor(secrets.flatMap((s) => [s, s.toLowerCase()]));
  let decoded = next.href;
  try {
    decoded = decodeURIComponent(next.href);
  } catch {}
  if (scrub(next.href) !== next.href || scrub(decoded) !== decoded)
    return 'the Location carries a credential you gave, and the doctor sends it nowhere else';
  return undefined;
}
