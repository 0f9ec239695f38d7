/**
 * The `Authorization` (and `Proxy-Authorization`) field: `credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`.
 * Basic (RFC 7617), Bearer (RFC 6750 §2.1), Digest (RFC 7616 §3.4), and any other scheme.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.2
 */
import { invalidArgument } from './argument-error.ts';
import { formatAuthRest, readAuthRest } from './auth-params.ts';
import { decodeBasic, encodeBasic } from './basic-credentials.ts';
import { type DigestCredentials, digestFromParams, digestToParams } from './digest-credentials.ts';
import { Cursor, isToken, isToken68, startsWithAsciiCaseless } from './field-syntax.ts';

export type { DigestCredentials } from './digest-credentials.ts';

export interface BasicCredentials {
  kind: 'basic';
  /** The scheme as sent; defaults to `Basic` when formatting. */
  scheme?: string;
  /** RFC 7617's user-id: everything before the first ":". */
  username: string;
  password: string;
  /** How the decoded bytes were read: UTF-8 when valid, else ISO-8859-1 (set by the parser). */
  encoding?: 'utf-8' | 'iso-8859-1';
}

export interface BearerCredentials {
  kind: 'bearer';
  scheme?: string;
  /** The b64token (RFC 6750 §2.1). */
  token: string;
}

export interface DigestAuthorization {
  kind: 'digest';
  scheme?: string;
  digest: DigestCredentials;
}

/** Any other scheme: its token68 or its parameters (names lower-cased). */
export interface OtherCredentials {
  kind: 'other';
  scheme: string;
  token68?: string;
  params: Record<string, string>;
}

export type Credentials = BasicCredentials | BearerCredentials | DigestAuthorization | OtherCredentials;

/**
 * Why an Authorization field could not be read. Every one of these is a malformed request:
 * a server answers 400 with `error="invalid_request"` (reason `credentials_malformed`).
 */
export type AuthorizationProblem =
  | 'empty'
  | 'multiple_fields'
  | 'scheme_invalid'
  | 'missing_space_after_scheme'
  | 'basic_missing_token'
  | 'basic_not_base64'
  | 'basic_no_colon'
  | 'basic_control_character'
  | 'bearer_missing_token'
  | 'bearer_token_invalid'
  | 'digest_params_invalid'
  | 'digest_missing_param'
  | 'params_invalid';

export type AuthorizationParseResult =
  | { ok: true; credentials: Credentials }
  | { ok: false; problem: AuthorizationProblem; message: string };

const MESSAGES: Record<AuthorizationProblem, string> = {
  empty: 'the Authorization header is empty; send "<scheme> <credentials>"',
  multiple_fields: 'the Authorization header was sent more than once; send exactly one',
  scheme_invalid: 'the Authorization header does not start with an auth scheme such as "Basic" or "Bearer"',
  missing_space_after_scheme: 'the auth scheme must be followed by a single space, as in "Bearer <token>"',
  basic_missing_token: 'Basic credentials are missing: send "Basic base64(username:password)"',
  basic_not_base64: 'Basic credentials are not valid base64: send "Basic base64(username:password)"',
  basic_no_colon: 'the decoded Basic credentials have no ":" between username and password',
  basic_control_character: 'the decoded Basic credentials contain control characters (RFC 7617 §2)',
  bearer_missing_token: 'Bearer credentials are missing their token: send "Bearer <token>"',
  bearer_token_invalid:
    'the Bearer token has characters a token cannot contain (RFC 6750 §2.1); check for spaces, quotes, a repeated "Bearer" or a second Authorization header',
  digest_params_invalid: 'the Digest credentials are not a valid list of name=value parameters',
  digest_missing_param: 'the Digest credentials lack a required parameter',
  params_invalid: 'the credentials are not a valid token68 or list of name=value parameters',
};

function fail(problem: AuthorizationProblem, detail?: string): AuthorizationParseResult {
  return { ok: false, problem, message: detail ? `${MESSAGES[problem]} (${detail})` : MESSAGES[problem] };
}

/**
 * What follows `Bearer` (any case) and one space, unchecked; undefined for a field of any other
 * shape. parseAuthorization's common case reads the field with it, and so does the bearer scheme's
 * answer for a token it verified recently (server/recent-credentials.ts): one reading of the shape,
 * so both take the same token from the same field.
 */
export function plainBearerToken(value: string): string | undefined {
  return value.length > 7 && value.charCodeAt(6) === 0x20 && startsWithAsciiCaseless(value, 'bearer')
    ? value.slice(7)
    : undefined;
}

/**
 * Parses an Authorization field. Several field lines (a string array, as in Node's
 * `rawHeaders`) are a malformed request. Never throws.
 *
 * @example parseAuthorization('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==')
 * // { ok: true, credentials: { kind: 'basic', scheme: 'Basic', username: 'Aladdin', password: 'open sesame', encoding: 'utf-8' } }
 */
export function parseAuthorization(value: string | readonly string[] | null | undefined): AuthorizationParseResult {
  if (Array.isArray(value)) {
    if (value.length > 1) return fail('multiple_fields');
    return parseAuthorization(value[0]);
  }
  if (typeof value !== 'string') return fail('empty');
  // The common case, on every request of an API: "Bearer <token68>" with one space. Anything else
  // (other spacing, other schemes, a bad token) takes the general path below, which agrees with this.
  const plain = plainBearerToken(value);
  if (plain !== undefined && isToken68(plain))
    return { ok: true, credentials: { kind: 'bearer', scheme: value.slice(0, 6), token: plain } };
  // Likewise "Basic <base64>"; a token that does not decode takes the general path for its message.
  if (value.length > 6 && value.charCodeAt(5) === 0x20 && startsWithAsciiCaseless(value, 'basic')) {
    const decoded = decodeBasic(value.slice(6));
    if (decoded.ok) {
      const { username, password, encoding } = decoded;
      return { ok: true, credentials: { kind: 'basic', scheme: value.slice(0, 5), username, password, encoding } };
    }
  }
  // A field value carries no leading or trailing whitespace (RFC 9110 §5.5).
  const input = trimOws(value);
  if (input.length === 0) return fail('empty');

  const cursor = new Cursor(input);
  const scheme = cursor.readToken();
  if (scheme.length === 0) return fail('scheme_invalid');
  if (!cursor.done && cursor.peek() !== 0x20) return fail('missing_space_after_scheme');
  const lower = scheme.toLowerCase();

  if (lower === 'bearer') {
    // RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    const token = input.slice(cursor.pos).replace(/^ +/, '');
    if (token.length === 0) return fail('bearer_missing_token');
    if (!isToken68(token)) return fail('bearer_token_invalid');
    return { ok: true, credentials: { kind: 'bearer', scheme, token } };
  }

  if (lower === 'basic') {
    const token = input.slice(cursor.pos).replace(/^ +/, '');
    if (token.length === 0) return fail('basic_missing_token');
    const decoded = decodeBasic(token);
    if (!decoded.ok) return fail(`basic_${decoded.problem}`);
    const { username, password, encoding } = decoded;
    return { ok: true, credentials: { kind: 'basic', scheme, username, password, encoding } };
  }

  const rest = readAuthRest(cursor, false);
  if (lower === 'digest') {
    if (rest.token68 !== undefined || rest.issues.length > 0)
      return fail('digest_params_invalid', rest.issues.join(', '));
    const digest = digestFromParams(rest.params);
    if (typeof digest === 'string') return fail('digest_missing_param', digest);
    return { ok: true, credentials: { kind: 'digest', scheme, digest } };
  }
  if (rest.issues.length > 0) return fail('params_invalid', rest.issues.join(', '));
  const other: OtherCredentials = { kind: 'other', scheme, params: rest.params };
  if (rest.token68 !== undefined) other.token68 = rest.token68;
  return { ok: true, credentials: other };
}

// RFC 7616 §3.4: these Digest parameters are tokens and are sent unquoted (username* is an RFC 8187 ext-value).
const DIGEST_BARE = new Set(['username*', 'algorithm', 'qop', 'nc', 'userhash']);

/**
 * Formats credentials as an Authorization field value.
 *
 * @throws TypeError (`code: 'ERR_GATEHOUSE_INVALID_ARGUMENT'`) for credentials no server could
 * read: a Basic username with ":", a Bearer token outside RFC 6750's alphabet, and so on.
 */
export function formatAuthorization(credentials: Credentials): string {
  if (!credentials || typeof credentials !== 'object')
    throw invalidArgument('formatAuthorization(credentials): expected an object with a "kind"');
  const scheme = credentials.scheme ?? defaultScheme(credentials.kind);
  if (!isToken(scheme)) throw invalidArgument(`formatAuthorization: scheme ${JSON.stringify(scheme)} is not a token`);
  switch (credentials.kind) {
    case 'basic':
      return `${scheme} ${encodeBasic(credentials.username, credentials.password)}`;
    case 'bearer':
      if (typeof credentials.token !== 'string' || !isToken68(credentials.token)) {
        throw invalidArgument(
          'formatAuthorization: the bearer token is empty or has characters outside RFC 6750 §2.1 (letters, digits, - . _ ~ + / and trailing =); check for whitespace or quotes',
        );
      }
      return `${scheme} ${credentials.token}`;
    case 'digest':
      return scheme + formatAuthRest(digestToParams(credentials.digest), undefined, DIGEST_BARE, 'digest credentials');
    case 'other':
      return scheme + formatAuthRest(credentials.params ?? {}, credentials.token68, new Set(), 'credentials');
    default:
      throw invalidArgument(
        `formatAuthorization: unknown kind ${JSON.stringify((credentials as { kind: unknown }).kind)}; use basic, bearer, digest or other`,
      );
  }
}

function defaultScheme(kind: Credentials['kind']): string {
  if (kind === 'basic') return 'Basic';
  if (kind === 'bearer') return 'Bearer';
  if (kind === 'digest') return 'Digest';
  throw invalidArgument('formatAuthorization: credentials of kind "other" need a scheme');
}

function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === 0x20 || value.charCodeAt(start) === 0x09)) start++;
  while (end > start && (value.charCodeAt(end - 1) === 0x20 || value.charCodeAt(end - 1) === 0x09)) end--;
  return value.slice(start, end);
}
