/**
 * Which Digest challenge a client answers at an origin (RFC 7616 §3.7: the strongest algorithm it
 * supports), under two rules that keep a server, or whoever answers in its name, from choosing
 * weak parameters:
 * - No downgrade (RFC 7616 §3.7, §5.2): once an algorithm has worked for an origin, a challenge
 *   from that origin is answered only with that algorithm or a stronger one; a weaker-only
 *   challenge is refused with DigestDowngradeError, unless `allowDowngrade`.
 * - One realm per origin: the configured realm(s) when given; otherwise the realm of the first
 *   challenge answered at the origin. A challenge for another realm is refused with
 *   DigestRealmError, and the password is not used for it.
 */
import { md5 } from '@noble/hashes/legacy.js';
import { sha256, sha512, sha512_256 } from '@noble/hashes/sha2.js';
import type { Challenge } from '../../http/index.ts';
import { DigestDowngradeError, DigestRealmError } from '../errors/digest-errors.ts';

export type Hash = (data: Uint8Array) => Uint8Array;

// Strongest first: the order in which a client picks among several Digest challenges (RFC 7616 §3.7),
// and the order of strength the no-downgrade rule compares by.
// SHA-512 is not in RFC 7616, but httpbin offers it, so servers built after it do too.
const ALGORITHMS: ReadonlyArray<[string, Hash]> = [
  ['SHA-512-256', sha512_256],
  ['SHA-512', sha512],
  ['SHA-256', sha256],
  ['MD5', md5],
];

/** The challenge an origin's requests answer, and the count of the nonce in use. */
export interface NonceState {
  challenge: Challenge;
  algorithm: string;
  /** Index in ALGORITHMS: lower is stronger. */
  rank: number;
  hash: Hash;
  session: boolean;
  nonce: string;
  nc: number;
}

/** A challenge picked: what a NonceState holds before its nonce is counted. */
export type PickedChallenge = Omit<NonceState, 'nonce' | 'nc'>;

export class DigestChoice {
  readonly #configuredRealms: readonly string[] | undefined;
  readonly #allowDowngrade: boolean;
  // Per origin, what outlives a nonce: the realm answered there and the strongest rank that worked.
  readonly #realms = new Map<string, string>();
  readonly #strongest = new Map<string, number>();

  constructor(configuredRealms: readonly string[] | undefined, allowDowngrade: boolean) {
    this.#configuredRealms = configuredRealms;
    this.#allowDowngrade = allowDowngrade;
  }

  /** The challenge to answer for `origin`, or a typed refusal. */
  choose(origin: string, challenges: Challenge[]): PickedChallenge | Error | undefined {
    const digests = challenges.filter((c) => c.scheme.toLowerCase() === 'digest' && c.params['nonce'] !== undefined);
    if (digests.length === 0) return undefined;
    const pinned = this.#realms.get(origin);
    const answered = this.#configuredRealms ?? (pinned === undefined ? undefined : [pinned]);
    const ours = answered ? digests.filter((c) => answered.includes(c.params['realm'] ?? '')) : digests;
    if (ours.length === 0)
      return new DigestRealmError({
        origin,
        offered: [...new Set(digests.map((c) => (c.params['realm'] ?? '').slice(0, 100)))],
        answered: answered ?? [],
        configured: this.#configuredRealms !== undefined,
      });
    const picked = pickChallenge(ours);
    if (!picked) return undefined;
    const floor = this.#strongest.get(origin);
    if (floor !== undefined && picked.rank > floor && !this.#allowDowngrade)
      return new DigestDowngradeError({
        origin,
        established: ALGORITHMS[floor]![0],
        offered: [...new Set(ours.map((c) => (c.params['algorithm'] ?? 'MD5').slice(0, 40)))],
      });
    return picked;
  }

  /** Pins the origin's realm to the first one answered there. */
  answering(origin: string, picked: PickedChallenge): void {
    if (!this.#realms.has(origin)) this.#realms.set(origin, picked.challenge.params['realm'] ?? '');
  }

  /** The server took credentials made with `state`: its algorithm is now the origin's floor. */
  worked(origin: string, state: NonceState): void {
    const floor = this.#strongest.get(origin);
    if (floor === undefined || state.rank < floor) this.#strongest.set(origin, state.rank);
  }
}

/** The strongest Digest challenge this client supports among `digests`. */
function pickChallenge(digests: Challenge[]): PickedChallenge | undefined {
  for (const [rank, [name, hash]] of ALGORITHMS.entries()) {
    for (const challenge of digests) {
      const algorithm = (challenge.params['algorithm'] ?? 'MD5').toUpperCase();
      if (algorithm === name) return { challenge, algorithm, rank, hash, session: false };
      if (algorithm === `${name}-SESS`) return { challenge, algorithm, rank, hash, session: true };
    }
  }
  return undefined;
}
