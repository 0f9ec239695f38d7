import type { Rule } from '../types.ts';
import { describedAs, received, serverError, statusLine } from './evidence.ts';

/** The token was issued for another API (aud). */
export const audienceMismatch: Rule = {
  code: 'audience_mismatch',
  summary: "A 401 whose reason (problem code or `error_description`) says the token's `aud` is not this API.",
  rank: 6,
  check(context) {
    if ((context.primary.response?.status ?? 0) !== 401) return undefined;
    const said = serverError(context) === 'token_audience_mismatch' || describedAs(context, /audience|\baud\b/i);
    if (!said) return undefined;
    const aud = context.jwt?.payload['aud'];
    return {
      code: 'audience_mismatch',
      severity: 'error',
      title: 'The token was issued for another audience',
      evidence: [
        ...(aud !== undefined ? [`  token aud = ${JSON.stringify(aud)}`] : []),
        statusLine(context.primary),
        ...received(context.primary, 'www-authenticate'),
      ],
      fix: `Request a token for this API: set the audience (or resource, RFC 8707) of the token request to what ${context.url.origin} expects.`,
    };
  },
};
