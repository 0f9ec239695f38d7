import { describedAs, received, serverError, statusLine } from '../readings/evidence.ts';
import { hint } from '../readings/fixes.ts';
import type { Context, Rule } from '../types.ts';

/** Issuers are compared as strings (RFC 8414 §3.3, RFC 9068 §4): what a reader tends to miss. */
const BYTE_FOR_BYTE = 'They are compared byte for byte: a trailing slash counts.';

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
        fix: `${hint('token_issuer_mismatch')} The token's iss is ${JSON.stringify(iss)}, its issuer's metadata says ${JSON.stringify(published)}. ${BYTE_FOR_BYTE}`,
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
        fix: `${hint('token_issuer_mismatch')} The API lists ${trusted.map((t) => JSON.stringify(t)).join(', ')}; the token's iss is ${JSON.stringify(iss)}. ${BYTE_FOR_BYTE}`,
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
      fix: `${hint('token_issuer_mismatch')}${typeof iss === 'string' ? ` The token's iss is ${JSON.stringify(iss)}.` : ''} ${BYTE_FOR_BYTE}`,
    };
  },
};

/** RFC 9728 §2: the issuers the API's resource metadata lists, when the token's `iss` is not among them. */
export function issuerUnlisted(context: Context): unknown[] | undefined {
  const trusted = context.resourceMetadata?.['authorization_servers'];
  const iss = context.jwt?.payload['iss'];
  return Array.isArray(trusted) && trusted.length > 0 && !trusted.includes(iss) ? trusted : undefined;
}
