/**
 * HTTP Digest (RFC 7616): MD5, SHA-256 and SHA-512-256 (and httpbin's SHA-512), each with its `-sess` variant; qop
 * `auth` and `auth-int`; nonce counting; `stale=true` answered with the new nonce; userhash;
 * non-ASCII usernames as `username*`. The last challenge of each origin is kept, so later
 * requests authenticate up front instead of paying a 401 round trip each.
 *
 * WebCrypto has neither MD5 nor SHA-512/256, so the hashes come from @noble/hashes, which runs
 * in browsers and Node alike.
 */
import { md5 } from '@noble/hashes/legacy.js';
import { sha256, sha512, sha512_256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { invalidArgument } from '../../http/argument-error.ts';
import { readAuthRest } from '../../http/auth-params.ts';
import { Cursor } from '../../http/field-syntax.ts';
import { type Challenge, formatAuthorization, parseChallenges } from '../../http/index.ts';
import type { AuthStrategy } from '../auth-flow.ts';
import { type OutgoingRequest, pathAndQuery } from '../outgoing-request.ts';

type Hash = (data: Uint8Array) => Uint8Array;

// Strongest first: the order in which a client picks among several Digest challenges (RFC 7616 §3.7).
// SHA-512 is not in RFC 7616, but httpbin offers it, so servers built after it do too.
const ALGORITHMS: ReadonlyArray<[string, Hash]> = [
  ['SHA-512-256', sha512_256],
  ['SHA-512', sha512],
  ['SHA-256', sha256],
  ['MD5', md5],
];

export interface DigestOptions {
  /** The qop to use when the server offers both. @default 'auth' */
  qop?: 'auth' | 'auth-int';
  /** Makes client nonces (tests). @default 16 random bytes, hex */
  cnonce?: () => string;
}

interface NonceState {
  challenge: Challenge;
  algorithm: string;
  hash: Hash;
  session: boolean;
  nonce: string;
  nc: number;
}

export function digest(username: string, password: string, options: DigestOptions = {}): AuthStrategy {
  if (typeof username !== 'string' || typeof password !== 'string')
    throw invalidArgument('digest(username, password): both must be strings');
  if (options.qop !== undefined && options.qop !== 'auth' && options.qop !== 'auth-int')
    throw invalidArgument("digest: qop must be 'auth' or 'auth-int'");
  const preferredQop = options.qop ?? 'auth';
  const makeCnonce = options.cnonce ?? randomHex;
  const cache = new Map<string, NonceState>();

  async function authorize(request: OutgoingRequest, state: NonceState): Promise<void> {
    const { challenge, hash } = state;
    const H = (text: string | Uint8Array) => bytesToHex(hash(typeof text === 'string' ? utf8ToBytes(text) : text));
    const realm = challenge.params['realm'] ?? '';
    const offered = (challenge.params['qop'] ?? '')
      .split(',')
      .map((q) => q.trim().toLowerCase())
      .filter(Boolean);
    const qop =
      offered.length === 0
        ? undefined
        : offered.includes(preferredQop)
          ? preferredQop
          : offered.includes('auth')
            ? 'auth'
            : offered.includes('auth-int')
              ? 'auth-int'
              : undefined;
    const uri = pathAndQuery(request.url);
    const cnonce = makeCnonce();
    const nc = (++state.nc).toString(16).padStart(8, '0');
    const userhash = challenge.params['userhash']?.toLowerCase() === 'true';

    let ha1 = H(`${username}:${realm}:${password}`);
    if (state.session) ha1 = H(`${ha1}:${state.nonce}:${cnonce}`);
    const ha2 =
      qop === 'auth-int'
        ? H(`${request.method}:${uri}:${H((await request.body.bytes()).bytes)}`)
        : H(`${request.method}:${uri}`);
    const response = qop ? H(`${ha1}:${state.nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : H(`${ha1}:${state.nonce}:${ha2}`);

    const header = formatAuthorization({
      kind: 'digest',
      digest: {
        username: userhash ? H(`${username}:${realm}`) : username,
        realm,
        uri,
        nonce: state.nonce,
        response,
        ...(challenge.params['algorithm'] !== undefined ? { algorithm: challenge.params['algorithm'] } : {}),
        ...(challenge.params['opaque'] !== undefined ? { opaque: challenge.params['opaque'] } : {}),
        ...(qop ? { qop, nc, cnonce } : {}),
        ...(userhash ? { userhash: true } : {}),
      },
    });
    request.headers.set('authorization', header);
  }

  return {
    name: 'digest',
    async *flow(request) {
      const origin = request.url.origin;
      let state = cache.get(origin);
      // Whether the credentials just sent answered a nonce from this very exchange.
      let answeredFresh = false;
      if (state) await authorize(request, state);
      let response = yield request;

      for (;;) {
        if (response.status !== 401) {
          if (state) followNextNonce(response, state);
          return;
        }
        const picked = pickChallenge(parseChallenges(response.headers));
        if (!picked) return;
        const stale = picked.challenge.params['stale']?.toLowerCase() === 'true';
        // RFC 7616 §3.3: a refusal of a fresh answer without stale=true means the credentials are wrong.
        if (answeredFresh && !stale) {
          cache.delete(origin);
          return;
        }
        state = { ...picked, nonce: picked.challenge.params['nonce'] ?? '', nc: 0 };
        cache.set(origin, state);
        await authorize(request, state);
        answeredFresh = true;
        response = yield request;
      }
    },
  };
}

function pickChallenge(challenges: Challenge[]): Omit<NonceState, 'nonce' | 'nc'> | undefined {
  const digests = challenges.filter((c) => c.scheme.toLowerCase() === 'digest' && c.params['nonce'] !== undefined);
  for (const [name, hash] of ALGORITHMS) {
    for (const challenge of digests) {
      const algorithm = (challenge.params['algorithm'] ?? 'MD5').toUpperCase();
      if (algorithm === name) return { challenge, algorithm, hash, session: false };
      if (algorithm === `${name}-SESS`) return { challenge, algorithm, hash, session: true };
    }
  }
  return undefined;
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
