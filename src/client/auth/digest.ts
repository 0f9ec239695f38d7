/**
 * HTTP Digest (RFC 7616): MD5, SHA-256 and SHA-512-256 (and httpbin's SHA-512), each with its `-sess` variant; qop
 * `auth` and `auth-int`; nonce counting; `stale=true` answered with the new nonce; userhash;
 * non-ASCII usernames as `username*`. The last challenge of each origin is kept, so later
 * requests authenticate up front instead of paying a 401 round trip each.
 *
 * Two rules keep a server (or whoever answers in its name) from choosing weak parameters:
 * - No downgrade (RFC 7616 §3.7, §5.2): once an algorithm has worked for an origin, a challenge
 *   from that origin is answered only with that algorithm or a stronger one (strength is the
 *   order of preference below); a weaker-only challenge throws DigestDowngradeError, unless
 *   `allowDowngrade`.
 * - One realm per origin: the `realm` option's realm(s) when given; otherwise the realm of the
 *   first challenge answered at the origin. A challenge for another realm throws DigestRealmError
 *   and the password is not used for it.
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
import { authNotes } from '../auth-stage.ts';
import { DigestDowngradeError, DigestRealmError } from '../errors/digest-errors.ts';
import { type OutgoingRequest, pathAndQuery } from '../outgoing-request.ts';
import { discard } from '../transport.ts';

type Hash = (data: Uint8Array) => Uint8Array;

// Strongest first: the order in which a client picks among several Digest challenges (RFC 7616 §3.7),
// and the order of strength the no-downgrade rule compares by.
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

interface NonceState {
  challenge: Challenge;
  algorithm: string;
  /** Index in ALGORITHMS: lower is stronger. */
  rank: number;
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
  const configuredRealms =
    options.realm === undefined ? undefined : typeof options.realm === 'string' ? [options.realm] : [...options.realm];
  if (configuredRealms?.some((r) => typeof r !== 'string') || configuredRealms?.length === 0)
    throw invalidArgument('digest: realm must be a string or a non-empty list of strings');
  const allowDowngrade = options.allowDowngrade === true;
  const cache = new Map<string, NonceState>();
  // Per origin, what outlives a nonce: the realm answered there and the strongest rank that worked.
  const realms = new Map<string, string>();
  const strongest = new Map<string, number>();

  /** The challenge to answer for `origin`, or a typed refusal. */
  function choose(origin: string, challenges: Challenge[]): Omit<NonceState, 'nonce' | 'nc'> | Error | undefined {
    const digests = challenges.filter((c) => c.scheme.toLowerCase() === 'digest' && c.params['nonce'] !== undefined);
    if (digests.length === 0) return undefined;
    const pinned = realms.get(origin);
    const answered = configuredRealms ?? (pinned === undefined ? undefined : [pinned]);
    const ours = answered ? digests.filter((c) => answered.includes(c.params['realm'] ?? '')) : digests;
    if (ours.length === 0)
      return new DigestRealmError({
        origin,
        offered: [...new Set(digests.map((c) => (c.params['realm'] ?? '').slice(0, 100)))],
        answered: answered ?? [],
        configured: configuredRealms !== undefined,
      });
    const picked = pickChallenge(ours);
    if (!picked) return undefined;
    const floor = strongest.get(origin);
    if (floor !== undefined && picked.rank > floor && !allowDowngrade)
      return new DigestDowngradeError({
        origin,
        established: ALGORITHMS[floor]![0],
        offered: [...new Set(ours.map((c) => (c.params['algorithm'] ?? 'MD5').slice(0, 40)))],
      });
    return picked;
  }

  function worked(origin: string, state: NonceState): void {
    const floor = strongest.get(origin);
    if (floor === undefined || state.rank < floor) strongest.set(origin, state.rank);
  }

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
          if (state) {
            // Any answer but 401 to the credentials sent means the server took them.
            worked(origin, state);
            followNextNonce(response, state);
          }
          return;
        }
        const picked = choose(origin, parseChallenges(response.headers));
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
        if (!realms.has(origin)) realms.set(origin, picked.challenge.params['realm'] ?? '');
        await authorize(request, state);
        answeredFresh = true;
        response = yield request;
      }
    },
  };
}

/** The strongest Digest challenge this client supports among `digests`. */
function pickChallenge(digests: Challenge[]): Omit<NonceState, 'nonce' | 'nc'> | undefined {
  for (const [rank, [name, hash]] of ALGORITHMS.entries()) {
    for (const challenge of digests) {
      const algorithm = (challenge.params['algorithm'] ?? 'MD5').toUpperCase();
      if (algorithm === name) return { challenge, algorithm, rank, hash, session: false };
      if (algorithm === `${name}-SESS`) return { challenge, algorithm, rank, hash, session: true };
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
