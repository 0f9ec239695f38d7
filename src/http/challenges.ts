/**
 * `WWW-Authenticate` and `Proxy-Authenticate`: the challenges a server sends with a 401 or 407.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.7.1
 */
import { invalidArgument } from './argument-error.ts';
import { formatAuthRest, readAuthRest } from './auth-params.ts';
import { Cursor, isToken } from './field-syntax.ts';
import { getField, type HeaderSource } from './headers-like.ts';

export interface Challenge {
  /** The auth-scheme as the server spelled it (`Basic`, `bearer`…); compare it case-insensitively. */
  scheme: string;
  /** Auth-params, names lower-cased (RFC 9110 §11.2: names are case-insensitive), values unquoted. */
  params: Record<string, string>;
  /** The token68 form, for schemes that send one instead of parameters. */
  token68?: string;
}

export interface ParseChallengesOptions {
  /**
   * Which field to read when given headers rather than a field value.
   * @default 'www-authenticate'
   */
  header?: 'www-authenticate' | 'proxy-authenticate';
}

/**
 * Parses every challenge in one or several `WWW-Authenticate` (or `Proxy-Authenticate`) field
 * lines. Never throws: an element it cannot read is skipped, the rest is kept.
 *
 * @example parseChallenges('Basic realm="api", Bearer error="invalid_token"')
 * // [{ scheme: 'Basic', params: { realm: 'api' } }, { scheme: 'Bearer', params: { error: 'invalid_token' } }]
 */
export function parseChallenges(
  value: string | readonly string[] | HeaderSource | null | undefined,
  options: ParseChallengesOptions = {},
): Challenge[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string') return parseFieldValue(value);
  if (isLineArray(value)) return value.flatMap((line) => (typeof line === 'string' ? parseFieldValue(line) : []));
  // Repeated field lines arrive joined with ", ", which is the list syntax itself (RFC 9110 §5.3).
  return parseFieldValue(getField(value, options.header ?? 'www-authenticate') ?? '');
}

function isLineArray(value: unknown): value is readonly string[] {
  return Array.isArray(value);
}

function parseFieldValue(input: string): Challenge[] {
  const cursor = new Cursor(input);
  const challenges: Challenge[] = [];
  while (!cursor.done) {
    // Empty list elements and whitespace between elements (RFC 9110 §5.6.1).
    const c = cursor.peek();
    if (c === 0x2c || c === 0x20 || c === 0x09) {
      cursor.pos++;
      continue;
    }
    const scheme = cursor.readToken();
    if (scheme.length === 0) {
      cursor.skipPastComma();
      continue;
    }
    const rest = readAuthRest(cursor, true);
    const challenge: Challenge = { scheme, params: rest.params };
    if (rest.token68 !== undefined) challenge.token68 = rest.token68;
    challenges.push(challenge);
  }
  return challenges;
}

// Parameters whose grammar is a token, sent bare by convention (RFC 7616 §3.3: algorithm, stale, userhash).
const BARE = new Set(['algorithm', 'stale', 'userhash']);

/**
 * Formats challenges as one field value. Values are sent as quoted-strings, escaped (RFC 9110
 * §5.6.4), except Digest's token-valued `algorithm`, `stale` and `userhash`.
 *
 * @throws TypeError (`code: 'ERR_GATEHOUSE_INVALID_ARGUMENT'`) for a scheme or parameter name
 * that is not a token, or a value with a character no header can carry (CR, LF, other controls).
 */
export function formatChallenges(challenges: readonly Challenge[]): string {
  if (!Array.isArray(challenges))
    throw invalidArgument('formatChallenges(challenges): expected an array of challenges');
  return challenges.map((challenge, i) => formatChallenge(challenge, `challenges[${i}]`)).join(', ');
}

export function formatChallenge(challenge: Challenge, what = 'challenge'): string {
  if (!challenge || typeof challenge !== 'object') throw invalidArgument(`${what}: expected { scheme, params }`);
  if (typeof challenge.scheme !== 'string' || !isToken(challenge.scheme)) {
    throw invalidArgument(`${what}.scheme: ${JSON.stringify(challenge.scheme)} is not a token (RFC 9110 §11.1)`);
  }
  return challenge.scheme + formatAuthRest(challenge.params ?? {}, challenge.token68, BARE, what);
}
