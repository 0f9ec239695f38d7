/**
 * HTTP Digest (RFC 7616): MD5, SHA-256 and SHA-512-256 (and httpbin's SHA-512), each with its `-sess` variant; qop
 * `auth` and `auth-int`; nonce counting; `stale=true` answered with the new nonce; userhash;
 * non-ASCII usernames as `username*`. The last challenge of each origin is kept, so later
 * requests authenticate up front instead of paying a 401 round trip each.
 *
 * Which challenge is answered, and the two rules that keep a server from choosing weak parameters
 * (no downgrade, one realm per origin), are in digest-choice.ts; the credentials for one request
 * in digest-response.ts.
 *
 * WebCrypto has neither MD5 nor SHA-512/256, so the hashes come from @noble/hashes, which runs
 * in browsers and Node alike.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { invalidArgument } from '../../http/argument-error.ts';
import { readAuthRest } from '../../http/auth-params.ts';
import { Cursor } from '../../http/field-syntax.ts';
import { parseChallenges } from '../../http/index.ts';
import type { AuthStrategy } from '../auth-flow.ts';
import { authNotes } from '../auth-stage.ts';
import { discard } from '../transport.ts';
import { DigestChoice, type NonceState } from './digest-choice.ts';
import { authorizeDigest, type DigestAnswerer } from './digest-response.ts';

export interface DigestOptions {
  /** The qop to use when the server offers both. @default 'auth' */
  qop?: 'auth' | 'auth-int';
  /** Makes client nonces (tests). @default 16 random bytes, hex */
  cnonce?: () => string;
  /**
   * The realm(s) the password belongs to; challenges for any other realm are refused with
   * DigestRealmError. @default the realm of the first challenge answered at each origin
   */
  realm?: string | readonly string[];
  /**
   * Answer a challenge whose algorithm is weaker than one that has worked for the origin (e.g.
   * MD5 after SHA-256). @default false: DigestDowngradeError
   */
  allowDowngrade?: boolean;
}

export function digest(username: string, password: string, options: DigestOptions = {}): AuthStrategy {
  if (typeof username !== 'string' || typeof password !== 'string')
    throw invalidArgument('digest(username, password): both must be strings');
  if (options.qop !== undefined && options.qop !== 'auth' && options.qop !== 'auth-int')
    throw invalidArgument("digest: qop must be 'auth' or 'auth-int'");
  const answerer: DigestAnswerer = {
    username,
    password,
    preferredQop: options.qop ?? 'auth',
    makeCnonce: options.cnonce ?? randomHex,
  };
  const configuredRealms =
    options.realm === undefined ? undefined : typeof options.realm === 'string' ? [options.realm] : [...options.realm];
  if (configuredRealms?.some((r) => typeof r !== 'string') || configuredRealms?.length === 0)
    throw invalidArgument('digest: realm must be a string or a non-empty list of strings');
  const choice = new DigestChoice(configuredRealms, options.allowDowngrade === true);
  const cache = new Map<string, NonceState>();

  return {
    name: 'digest',
    async *flow(request) {
      const origin = request.url.origin;
      let state = cache.get(origin);
      // Whether the credentials just sent answered a nonce from this very exchange.
      let answeredFresh = false;
      if (state) await authorizeDigest(request, state, answerer);
      let response = yield request;

      for (;;) {
        if (response.status !== 401) {
          if (state) {
            // Any answer but 401 to the credentials sent means the server took them.
            choice.worked(origin, state);
            followNextNonce(response, state);
          }
          return;
        }
        const picked = choice.choose(origin, parseChallenges(response.headers));
        if (picked instanceof Error) {
          await discard(response);
          throw picked;
        }
        if (!picked) return;
        const stale = picked.challenge.params['stale']?.toLowerCase() === 'true';
        // RFC 7616 §3.3: a refusal of a fresh answer without stale=true means the credentials are wrong.
        if (answeredFresh && !stale) {
          cache.delete(origin);
          // Only the realm and algorithm the server itself announced: nothing of what was sent.
          authNotes.set(
            response,
            `The server refused the Digest credentials for realm ${JSON.stringify(state!.challenge.params['realm']?.slice(0, 100) ?? '')} (${state!.algorithm}): ` +
              'check the username and password, and that they belong to this realm.',
          );
          return;
        }
        state = { ...picked, nonce: picked.challenge.params['nonce'] ?? '', nc: 0 };
        cache.set(origin, state);
        choice.answering(origin, picked);
        await authorizeDigest(request, state, answerer);
        answeredFresh = true;
        response = yield request;
      }
    },
  };
}

// RFC 7616 §3.5: Authentication-Info may carry the nonce to use next.
function followNextNonce(response: Response, state: NonceState): void {
  const info = response.headers.get('authentication-info');
  if (!info) return;
  const next = readAuthRest(new Cursor(` ${info}`), false).params['nextnonce'];
  if (next) {
    state.nonce = next;
    state.nc = 0;
  }
}

function randomHex(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return bytesToHex(bytes);
}
