import { describedAs, received, serverError, statusLine } from '../readings/evidence.ts';
import { hint } from '../readings/fixes.ts';
import type { Context, Rule } from '../types.ts';

/** The token was issued for another API (aud). */
export const audienceMismatch: Rule = {
  code: 'audience_mismatch',
  summary:
    "A 401 whose reason (problem code or `error_description`) says the token's `aud` is not this API, or whose resource metadata (RFC 9728 `resource`) is not among the token's `aud`.",
  rank: 6,
  check(context) {
    if ((context.primary.response?.status ?? 0) !== 401) return undefined;
    const aud = context.jwt?.payload['aud'];
    const expected = context.resourceMetadata?.['resource'];
    const unexpected = audienceUnexpected(context);
    const said = serverError(context) === 'token_audience_mismatch' || describedAs(context, /audience|\baud\b/i);
    if (!said && !unexpected) return undefined;
    return {
      code: 'audience_mismatch',
      severity: 'error',
      title: 'The token was issued for another audience',
      evidence: [
        ...(aud !== undefined ? [`  token aud = ${JSON.stringify(aud)}`] : unexpected ? ['  token has no aud'] : []),
        ...(unexpected ? [`  the API's resource metadata (RFC 9728): resource = ${JSON.stringify(expected)}`] : []),
        statusLine(context.primary),
        ...received(context.primary, 'www-authenticate'),
      ],
      fix: `${hint('token_audience_mismatch')}${aud !== undefined ? ` The token's aud is ${JSON.stringify(aud)}.` : ''}${unexpected ? resourceIndicator(expected) : ''}`,
    };
  },
};

/**
 * RFC 8707: a client names the API a token is for with `resource` on the authorization and token
 * requests, and the authorization server sets the token's audience from it.
 */
function resourceIndicator(expected: unknown): string {
  return ` The aud to ask for is ${JSON.stringify(expected)}, the resource this API's metadata names (RFC 9728): send resource=${JSON.stringify(expected)} in the authorization and token requests (RFC 8707 resource indicators), and check the server puts it in the token's aud.`;
}

/** RFC 9728 §2: `resource` is the API's identifier, the audience its tokens are issued for. */
export function audienceUnexpected(context: Context): boolean {
  const expected = context.resourceMetadata?.['resource'];
  const aud = context.jwt?.payload['aud'];
  return (
    typeof expected === 'string' && context.jwt !== undefined && !(Array.isArray(aud) ? aud : [aud]).includes(expected)
  );
}
