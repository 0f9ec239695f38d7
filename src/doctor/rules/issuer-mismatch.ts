import type { Context, Rule } from '../types.ts';
import { describedAs, received, serverError, statusLine } from './evidence.ts';

/** The token's iss is not the issuer the API trusts, or not what the issuer's own metadata says. */
export const issuerMismatch: Rule = {
  code: 'issuer_mismatch',
  summary:
    "The token's `iss` differs from the issuer its metadata names, is not among the API's `authorization_servers` (RFC 9728), or the server's reason says the issuer is not trusted.",
  rank: 6,
  check(context) {
    const iss = context.jwt?.payload['iss'];
    const published = context.issuerMetadata?.['issuer'];
    if (typeof iss === 'string' && typeof published === 'string' && published !== iss) {
      return {
        code: 'issuer_mismatch',
        severity: 'error',
        title: "The token's iss differs from the issuer its metadata names",
        evidence: [`  token iss = ${JSON.stringify(iss)}`, `  metadata issuer = ${JSON.stringify(published)}`],
        fix: 'Get the token from the issuer the API is configured for, byte for byte (a trailing slash counts).',
      };
    }
    if ((context.primary.response?.status ?? 0) !== 401) return undefined;
    const trusted = issuerUnlisted(context);
    if (typeof iss === 'string' && trusted) {
      return {
        code: 'issuer_mismatch',
        severity: 'error',
        title: 'The token comes from an issuer this API does not list',
        evidence: [
          `  token iss = ${JSON.stringify(iss)}`,
          `  the API's resource metadata (RFC 9728): authorization_servers = ${JSON.stringify(trusted)}`,
          statusLine(context.primary),
        ],
        fix: `Get the token from an issuer the API lists (${trusted.map((t) => JSON.stringify(t)).join(', ')}), byte for byte (a trailing slash counts).`,
      };
    }
    if (serverError(context) !== 'token_issuer_mismatch' && !describedAs(context, /issuer|\biss\b/i)) return undefined;
    return {
      code: 'issuer_mismatch',
      severity: 'error',
      title: 'The token comes from an issuer this API does not trust',
      evidence: [
        ...(typeof iss === 'string' ? [`  token iss = ${JSON.stringify(iss)}`] : []),
        statusLine(context.primary),
        ...received(context.primary, 'www-authenticate'),
      ],
      fix: 'Get the token from the issuer the API trusts; compare its iss with the API configuration, trailing slash included.',
    };
  },
};

/** RFC 9728 §2: the issuers the API's resource metadata lists, when the token's `iss` is not among them. */
export function issuerUnlisted(context: Context): unknown[] | undefined {
  const trusted = context.resourceMetadata?.['authorization_servers'];
  const iss = context.jwt?.payload['iss'];
  return Array.isArray(trusted) && trusted.length > 0 && !trusted.includes(iss) ? trusted : undefined;
}
