/**
 * The query and body parameters that carry credentials: ONE list, read by redaction (a URL shows
 * their values masked, and their values are secrets to scrub), the client's redirect stage and the
 * doctor (a Location to another origin loses them) and the doctor's reading of a request body.
 *
 * What is in it, and why:
 * - OAuth 2.0: `access_token` (RFC 6750 §2.3, the URI query form), `refresh_token`, `id_token`,
 *   `client_secret` (RFC 6749 §2.3.1), `password` (§4.3.2), `code` (§4.1.2: an authorization
 *   code is a credential until it is redeemed), `code_verifier` (RFC 7636 §4.1: the
 *   PKCE secret that redeems it).
 * - API keys and shared secrets under the names APIs use: `api_key`, `apikey`, `api-key`, `key`
 *   (Google APIs), `token`, `secret`.
 * - Signed URLs: `sig` (Azure SAS), `signature`.
 */
export const SECRET_PARAMS: readonly string[] = Object.freeze([
  'access_token',
  'api_key',
  'apikey',
  'api-key',
  'key',
  'token',
  'client_secret',
  'password',
  'secret',
  'sig',
  'signature',
  'code',
  'code_verifier',
  'refresh_token',
  'id_token',
]);

/** SECRET_PARAMS as a set (the name it has on the package root since the first release). */
export const SECRET_QUERY_PARAMS: ReadonlySet<string> = new Set(SECRET_PARAMS);

/** Whether a query or body parameter carries a credential (by the list above; names compare case-insensitively). */
export function isSecretParam(name: string): boolean {
  return SECRET_QUERY_PARAMS.has(name.toLowerCase());
}

// Body fields are named freely (`user_password`, `clientAssertion`, `X-Tenant-Secret`): a form or
// JSON body the user wrote is read by what its field names say too, beyond the list.
const SECRET_FIELD = /pass(word|wd|phrase)?|secret|token|api_?key|credential|assertion/i;

/** Whether a request body's field carries a credential: in the list, or named as one. */
export function isSecretField(name: string): boolean {
  return isSecretParam(name) || SECRET_FIELD.test(name);
}
