/**
 * Which header lines carry secrets (the credential list, or a name that says so), and the secrets
 * one line carries: a Basic header gives its base64, its `user:password` pair and its password.
 */
import { decodeBasic } from './basic-credentials.ts';
import { isCredentialHeader } from './credential-headers.ts';

// Header names that look like they carry credentials, beyond the CREDENTIAL_HEADERS list: masked
// in reports and counted as secrets (a redirect drops only the list's names: `idempotency-key` is no secret to drop).
// `authorization`/`credential`: proxies and gateways pass a caller's credentials on under such names
// (X-Forwarded-Authorization, X-Upstream-Authorization), often as a whole Basic credential.
// Names written as one word (`X-ApiKey`, `X-AccessToken`, `X-SessionId`, `Api_Key`) say so as plainly.
const SECRET_HEADER_NAME =
  /(^|[-_])(key|token|secret|signature|password|passwd|auth|authorization|credential|session)([-_]|$)|api_?key|access_?(key|token)|auth_?token|secret_?key|private_?key|session_?(id|token)/i;

/** A value that is an Authorization-style Basic credential, whatever header carries it. */
export const BASIC_VALUE = /^\s*basic\s/i;

/** Whether a header's value is to be treated as a secret in outputs: the credential list, or a name that says so. */
export function isSecretHeader(name: string): boolean {
  return isCredentialHeader(name) || SECRET_HEADER_NAME.test(name);
}

/** The secrets one header line carries, to be scrubbed wherever a server echoes them. */
export function headerSecrets(name: string, value: string): string[] {
  const lower = name.toLowerCase();
  const trimmed = value.trim();
  const secrets = [trimmed];
  if (lower === 'authorization' || lower === 'proxy-authorization' || BASIC_VALUE.test(trimmed)) {
    const credential = trimmed.replace(/^\S+\s+/, '').trim();
    secrets.push(credential);
    if (/^basic\s/i.test(trimmed)) {
      const decoded = decodeBasic(credential);
      if (decoded.ok) secrets.push(`${decoded.username}:${decoded.password}`, decoded.password);
      else {
        // Not a pair (no colon, encoded twice…): whatever it decodes to is secret too.
        try {
          secrets.push(atob(credential));
        } catch {}
      }
    }
  } else if (lower === 'cookie') {
    for (const part of trimmed.split(';')) {
      const equals = part.indexOf('=');
      if (equals < 0) continue;
      const value = part.slice(equals + 1).trim();
      secrets.push(value);
      // Frameworks read some cookies URL-decoded (Angular and Laravel echo XSRF-TOKEN so).
      try {
        const decoded = decodeURIComponent(value);
        if (decoded !== value) secrets.push(decoded);
      } catch {}
    }
  }
  return secrets;
}
