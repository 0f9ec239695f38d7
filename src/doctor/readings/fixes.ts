/**
 * What a fix says and what it tries. A fix speaks the server's own scheme (a Token server is told to
 * send `Authorization: Token …`, not Bearer or Basic), and falls back to the shared reason
 * catalogue's hint rather than to text of its own.
 */
import { type Challenge, getReason, type ReasonCode } from '../../http/index.ts';
import type { ApiDescription, ApiScheme, ProbeRequest } from '../types.ts';

/** A field name as RFC 9110 §5.1 allows it (a token), so it can be shown in a header line. */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The catalogue's hint for a reason: the one wording of "what to do" that server and doctor share. */
export function hint(code: ReasonCode): string {
  return getReason(code)!.hint;
}

/**
 * How to send credentials in one challenged scheme, as the doctor's flags or a header line. An API
 * key scheme that names its header (`ApiKey header="X-API-Key"`, or `in="header" name=…`) is told as
 * that header.
 */
export function credentialExample(challenge: Challenge): string {
  const scheme = challenge.scheme;
  switch (scheme.toLowerCase()) {
    case 'bearer':
      return '--bearer TOKEN';
    case 'basic':
      return '--basic USER:PASS';
    case 'digest':
      return 'Digest (answer the challenge: curl --digest -u USER:PASS)';
    case 'dpop':
      // RFC 9449 §7.1: the token with a proof signed by the key it is bound to, made for this request.
      return "-H 'Authorization: DPoP TOKEN' -H 'DPoP: PROOF' (a proof for this method and URL, signed with the key the token is bound to)";
  }
  const named =
    challenge.params['header'] ?? (challenge.params['in'] === 'header' ? challenge.params['name'] : undefined);
  if (named && FIELD_NAME.test(named)) return `-H '${named}: KEY'`;
  return `-H 'Authorization: ${scheme} ${/token/i.test(scheme) ? 'TOKEN' : 'CREDENTIALS'}'`;
}

/** How to send credentials in one scheme of the API's description (OpenAPI `securitySchemes`). */
export function documentedExample(scheme: ApiScheme): string {
  switch (scheme.type) {
    case 'apiKey':
      if (scheme.in === 'header' && FIELD_NAME.test(scheme.parameter)) return `-H '${scheme.parameter}: KEY'`;
      if (scheme.in === 'cookie') return `the cookie ${scheme.parameter}=KEY`;
      return `the query parameter ${scheme.parameter}=KEY`;
    case 'http':
      return credentialExample({ scheme: scheme.scheme, params: {} });
    case 'oauth2':
      return `--bearer TOKEN${scheme.tokenUrl ? `, a token from ${scheme.tokenUrl}` : ''}`;
    case 'openIdConnect':
      return `--bearer TOKEN${scheme.discoveryUrl ? `, a token from the provider at ${scheme.discoveryUrl}` : ''}`;
  }
}

/**
 * "Send credentials in a scheme the server offers: -H 'Authorization: Token TOKEN'.": the schemes
 * its challenges offer, then those its API description declares (named as the description names them).
 */
export function offeredSchemes(challenges: readonly Challenge[], description?: ApiDescription): string | undefined {
  const seen = new Set<string>();
  const examples: string[] = [];
  const shown = new Set<string>();
  for (const challenge of challenges) {
    if (seen.has(challenge.scheme.toLowerCase())) continue;
    seen.add(challenge.scheme.toLowerCase());
    const example = credentialExample(challenge);
    shown.add(example);
    examples.push(`${challenge.scheme} (${example})`);
  }
  // A scheme both challenged and documented is told once, as the challenge names it.
  let documented = false;
  for (const scheme of description?.schemes ?? []) {
    const example = documentedExample(scheme);
    if (shown.has(example)) continue;
    shown.add(example);
    examples.push(`${scheme.name} (${example})`);
    documented = true;
  }
  if (examples.length === 0) return undefined;
  return `${examples.join(' or ')}${documented ? `, as ${new URL(description!.url).pathname} describes it` : ''}`;
}

/** The request with its Authorization lines replaced (none when `values` is empty). */
export function withAuthorization(request: ProbeRequest, values: readonly string[]): ProbeRequest {
  const headers = request.headers.filter(([n]) => n.toLowerCase() !== 'authorization');
  const at = request.headers.findIndex(([n]) => n.toLowerCase() === 'authorization');
  const name = at >= 0 ? request.headers[at]![0] : 'Authorization';
  const lines = values.map((v): [string, string] => [name, v]);
  headers.splice(at >= 0 ? at : headers.length, 0, ...lines);
  return { ...request, headers };
}
