import type { AuthorizationServerReading, Rule } from '../types.ts';

/**
 * RFC 8414 §3.3: the `issuer` in authorization server metadata MUST be identical to the issuer
 * identifier the metadata URL was built from, or the metadata MUST NOT be used (strict clients such
 * as oauth4webapi refuse it: "issuer does not match the expected value"). The usual cause is a
 * server configured with its public name and reached at another (127.0.0.1, an internal host).
 * Metadata read for the token's own `iss` is issuer_mismatch's evidence, not repeated here.
 */
export const metadataIssuerMismatch: Rule = {
  code: 'metadata_issuer_mismatch',
  summary:
    "An authorization server's metadata (RFC 8414), read for an issuer the API names (RFC 9728 `authorization_servers`), gives another `issuer` than the identifier it was read for (RFC 8414 §3.3).",
  rank: 5,
  check(context) {
    const iss = context.jwt?.payload['iss'];
    const wrong = (context.authorizationServers ?? []).find(
      (r: AuthorizationServerReading) => r.issuer !== r.identifier && r.identifier !== iss,
    );
    if (!wrong) return undefined;
    return {
      code: 'metadata_issuer_mismatch',
      severity: 'error',
      title: 'The authorization server’s metadata names another issuer than the one it was read for',
      evidence: [
        `  read for issuer: ${JSON.stringify(wrong.identifier)}`,
        `  metadata: ${wrong.url}`,
        `  its issuer = ${wrong.issuer === undefined ? '(none)' : JSON.stringify(wrong.issuer)}`,
      ],
      fix:
        `A client must refuse metadata whose issuer is not the identifier it was read for (RFC 8414 §3.3), compared byte for byte. ` +
        `Configure the authorization server's issuer as the URL clients reach it at (${JSON.stringify(wrong.identifier)}), ` +
        "or, behind a proxy, as the proxy's public URL, and list that same URL in the API's authorization_servers; tokens' iss must be the same.",
    };
  },
};
