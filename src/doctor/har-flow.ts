/**
 * The authorization code flow a HAR file holds, read once for every entry: its authorization
 * requests (with the code each one's answer delivered) and its code redemptions. A refused
 * redemption is diagnosed against what came before it: the authorization request it belongs to,
 * and an earlier redemption of the same code. Values stay unmasked here and are never reported.
 */
import { redemptionBody } from './har-entry.ts';
import { bodySecrets } from './request-secrets.ts';
import type { OAuthFlow } from './types.ts';

type Fields = Record<string, unknown>;
const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The whole file's flow; `before(flow, i)` is what entry i may be compared with. */
export function readFlow(entries: readonly unknown[]): OAuthFlow {
  const flow: OAuthFlow = { authorizations: [], redemptions: [] };
  for (const [index, raw] of entries.entries()) {
    if (!isObject(raw) || !isObject(raw['request'])) continue;
    const request = raw['request'];
    const response = isObject(raw['response']) ? raw['response'] : undefined;
    const url =
      typeof request['url'] === 'string' && URL.canParse(request['url']) ? new URL(request['url']) : undefined;
    if (url?.searchParams.get('response_type') === 'code') flow.authorizations.push({ index, url });
    const redemption = redemptionBody(request);
    if (redemption !== undefined && typeof response?.['status'] === 'number')
      flow.redemptions.push({ index, form: new URLSearchParams(redemption), status: response['status'] });
    deliveredCode(flow, response);
  }
  return flow;
}

/**
 * A redirect to the client's redirect_uri carrying `code` (RFC 6749 §4.1.2): the code of the
 * latest authorization request with that redirect_uri (the answer may come after a login page).
 */
function deliveredCode(flow: OAuthFlow, response: Fields | undefined): void {
  const location = locationOf(response);
  const code = location?.searchParams.get('code');
  if (!location || !code) return;
  const target = `${location.origin}${location.pathname}`;
  const asked = flow.authorizations.findLast((a) => {
    const uri = a.url.searchParams.get('redirect_uri');
    return a.code === undefined && (uri === null || (URL.canParse(uri) && uri.split('?')[0] === target));
  });
  if (asked) asked.code = code;
}

function locationOf(response: Fields | undefined): URL | undefined {
  const headers = Array.isArray(response?.['headers']) ? response['headers'] : [];
  const header = headers.find((h) => isObject(h) && String(h['name']).toLowerCase() === 'location');
  const value = isObject(header) && typeof header['value'] === 'string' ? header['value'] : response?.['redirectURL'];
  return typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined;
}

/** What entry `index` may be compared with: the flow's entries before it. */
export function flowBefore(flow: OAuthFlow, index: number): OAuthFlow {
  return {
    authorizations: flow.authorizations.filter((a) => a.index < index),
    redemptions: flow.redemptions.filter((r) => r.index < index),
  };
}

/** Every secret the flow carries (codes, verifiers, client secrets), to scrub from a report that reads it. */
export function flowSecrets(flow: OAuthFlow): string[] {
  return [
    ...flow.authorizations.flatMap((a) => (a.code ? [a.code] : [])),
    ...flow.redemptions.flatMap((r) => bodySecrets(r.form.toString())),
  ];
}
