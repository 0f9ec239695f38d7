/**
 * The header fields that carry credentials: ONE list, read by the client's redirect stage (they
 * never leave for another origin unless it is trusted), the doctor (they count as credentials and
 * are masked) and redaction (their values are secrets in every encoding).
 *
 * What is in it, and why:
 * - `authorization`, `proxy-authorization` (RFC 9110 §11.6.2, §11.7.2) and `cookie` (RFC 6265):
 *   the standard credential fields; browsers drop the first across origins (Fetch standard, "HTTP-redirect fetch").
 * - API keys and tokens under the names APIs actually use: `x-api-key` (AWS API Gateway and most
 *   others), `api-key` (Azure OpenAI), `apikey` (Kong, Supabase), `x-api-token`, `x-auth-token`
 *   (OpenStack), `x-access-token`, `x-refresh-token`, `x-session-token`, `x-goog-api-key`,
 *   `ocp-apim-subscription-key` (Azure API Management), `private-token` (GitLab), `x-vault-token`
 *   (Vault), `x-amz-security-token` (AWS session credentials).
 * - `x-csrf-token`, `x-xsrf-token`, `x-csrftoken` (Django's spelling): not credentials alone, but
 *   the other half of a cookie session; no legitimate other origin needs them, and with a leaked
 *   cookie they forge requests.
 * - `dpop` (RFC 9449): a proof bound to one URL; another origin has no use for it, and the
 *   strategy makes a new one where it applies.
 * Header names that only look secret (`idempotency-key`, `sec-websocket-key`) are not in it: a
 * redirect keeps them. A client adds names of its own with `redirect.secretHeaders`.
 */
export const CREDENTIAL_HEADERS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'api-key',
  'apikey',
  'x-api-token',
  'x-auth-token',
  'x-access-token',
  'x-refresh-token',
  'x-session-token',
  'x-goog-api-key',
  'ocp-apim-subscription-key',
  'private-token',
  'x-vault-token',
  'x-amz-security-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-csrftoken',
  'dpop',
]);

const NAMES: ReadonlySet<string> = new Set(CREDENTIAL_HEADERS);

/** Whether a header field carries credentials (by the list above; names compare case-insensitively). */
export function isCredentialHeader(name: string): boolean {
  return NAMES.has(name.toLowerCase());
}

/**
 * The names in CREDENTIAL_HEADERS that are no credential alone, only the other half of one sent
 * in another field: a cookie session's CSRF token, and a DPoP proof (RFC 9449 §4) for an access
 * token in Authorization. A request that carries only these carries no credentials.
 */
export const COMPANION_HEADERS: readonly string[] = Object.freeze([
  'x-csrf-token',
  'x-xsrf-token',
  'x-csrftoken',
  'dpop',
]);

const COMPANIONS: ReadonlySet<string> = new Set(COMPANION_HEADERS);

/** Whether a header field carries a credential on its own: in the list, and no companion of another. */
export function carriesCredential(name: string): boolean {
  const lower = name.toLowerCase();
  return NAMES.has(lower) && !COMPANIONS.has(lower);
}
