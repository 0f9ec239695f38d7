/**
 * What a fix says and what it tries. A fix speaks the server's own scheme (a Token server is told to
 * send `Authorization: Token …`, not Bearer or Basic), and falls back to the shared reason
 * catalogue's hint rather than to text of its own.
 */
import { type Challenge, getReason, type ReasonCode } from '../../http/index.ts';
import type { ProbeRequest } from '../probes.ts';

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
  }
  const named =
    challenge.params['header'] ?? (challenge.params['in'] === 'header' ? challenge.params['name'] : undefined);
  if (named && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(named)) return `-H '${named}: KEY'`;
  return `-H 'Authorization: ${scheme} ${/token/i.test(scheme) ? 'TOKEN' : 'CREDENTIALS'}'`;
}

/** "Send credentials in a scheme the server offers: -H 'Authorization: Token TOKEN'." */
export function offeredSchemes(challenges: readonly Challenge[]): string | undefined {
  if (challenges.length === 0) return undefined;
  const seen = new Set<string>();
  const examples: string[] = [];
  for (const challenge of challenges) {
    if (seen.has(challenge.scheme.toLowerCase())) continue;
    seen.add(challenge.scheme.toLowerCase());
    examples.push(`${challenge.scheme} (${credentialExample(challenge)})`);
  }
  return examples.join(' or ');
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
