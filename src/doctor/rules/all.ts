/** Every rule the doctor applies. Adding a cause means adding a rule file here and its test. */
import type { Rule } from '../types.ts';
import { algNotAllowed } from './alg-not-allowed.ts';
import { audienceMismatch } from './audience-mismatch.ts';
import { authDroppedOnRedirect } from './auth-dropped-on-redirect.ts';
import { basicCredentialsRejected } from './basic-credentials-rejected.ts';
import { basicEncoding } from './basic-encoding.ts';
import { basicNonAscii } from './basic-non-ascii.ts';
import { challengeMissing } from './challenge-missing.ts';
import { clientAuthenticationFailed } from './client-authentication-failed.ts';
import { clockSkew } from './clock-skew.ts';
import { codeReused } from './code-reused.ts';
import { credentialWhitespace } from './credential-whitespace.ts';
import { credentialsIgnored } from './credentials-ignored.ts';
import { credentialsMissing } from './credentials-missing.ts';
import { credentialsNotReceived } from './credentials-not-received.ts';
import { credentialsRejected } from './credentials-rejected.ts';
import { csrfFailed } from './csrf-failed.ts';
import { digestStaleNonce } from './digest-stale-nonce.ts';
import { dpopRefused } from './dpop-refused.ts';
import { forbiddenInsteadOf401 } from './forbidden-instead-of-401.ts';
import { insufficientScope } from './insufficient-scope.ts';
import { insufficientUserAuthentication } from './insufficient-user-authentication.ts';
import { issuerMismatch } from './issuer-mismatch.ts';
import { kidNotInJwks } from './kid-not-in-jwks.ts';
import { lockedOut } from './locked-out.ts';
import { metadataIssuerMismatch } from './metadata-issuer-mismatch.ts';
import { permissionDenied } from './permission-denied.ts';
import { pkceMethodNotS256 } from './pkce-method-not-s256.ts';
import { pkceVerifierMalformed } from './pkce-verifier-malformed.ts';
import { pkceVerifierMismatch } from './pkce-verifier-mismatch.ts';
import { pkceVerifierMissing } from './pkce-verifier-missing.ts';
import { preflightRefused } from './preflight-refused.ts';
import { preflightUnauthorized } from './preflight-unauthorized.ts';
import { rateLimited } from './rate-limited.ts';
import { redirectUriMismatch } from './redirect-uri-mismatch.ts';
import { redirected } from './redirected.ts';
import { resourceMetadataMismatch } from './resource-metadata-mismatch.ts';
import { schemeFormat } from './scheme-format.ts';
import { schemeMismatch } from './scheme-mismatch.ts';
import { serverReason } from './server-reason.ts';
import { signInRedirect } from './sign-in-redirect.ts';
import { tokenExpired } from './token-expired.ts';
import { tokenNotYetValid } from './token-not-yet-valid.ts';
import { tokenRejected } from './token-rejected.ts';
import { tokenRevoked } from './token-revoked.ts';
import { tokenSignatureInvalid } from './token-signature-invalid.ts';
import { trailingSlashRedirect } from './trailing-slash-redirect.ts';
import { unauthorizedInsteadOf403 } from './unauthorized-instead-of-403.ts';

export const RULES: readonly Rule[] = [
  credentialsMissing,
  authDroppedOnRedirect,
  signInRedirect,
  trailingSlashRedirect,
  redirected,
  dpopRefused,
  schemeMismatch,
  schemeFormat,
  credentialWhitespace,
  tokenExpired,
  tokenNotYetValid,
  clockSkew,
  resourceMetadataMismatch,
  metadataIssuerMismatch,
  audienceMismatch,
  issuerMismatch,
  codeReused,
  clientAuthenticationFailed,
  pkceMethodNotS256,
  pkceVerifierMissing,
  pkceVerifierMalformed,
  pkceVerifierMismatch,
  redirectUriMismatch,
  algNotAllowed,
  kidNotInJwks,
  basicNonAscii,
  basicEncoding,
  challengeMissing,
  forbiddenInsteadOf401,
  unauthorizedInsteadOf403,
  preflightUnauthorized,
  preflightRefused,
  insufficientScope,
  insufficientUserAuthentication,
  permissionDenied,
  csrfFailed,
  rateLimited,
  lockedOut,
  digestStaleNonce,
  serverReason,
  credentialsNotReceived,
  credentialsIgnored,
  tokenSignatureInvalid,
  tokenRevoked,
  basicCredentialsRejected,
  tokenRejected,
  credentialsRejected,
];
