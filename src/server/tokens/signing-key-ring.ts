/**
 * The token service's signing keys: the HS256 secret, or asymmetric key pairs generated and kept in
 * the store. The newest signs; every key stays for verification and in the JWKS, so tokens signed
 * before a rotation still verify, on this instance and on every other sharing the store.
 */
import { randomBytes } from 'node:crypto';
import { type CryptoKey, errors, exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK } from 'jose';
import { invalidArgument } from '../../http/argument-error.ts';
import type { JwtKeyStore, StoredJwtKey } from '../../stores/types.ts';
import { KeySourceError } from '../server-failure.ts';

export type SigningAlgorithm = 'EdDSA' | 'ES256' | 'HS256';

export interface SigningKeyRing {
  /** The HS256 secret as bytes; undefined for an asymmetric algorithm, whose keys live in the store. */
  readonly hmacKey: Uint8Array | undefined;
  /** The key that signs now: the newest in the store (the latest kid among equals), or the secret. */
  signingKey(): Promise<{ key: CryptoKey | Uint8Array; kid?: string }>;
  /** Finds the verification key by kid, asking the store again (at most once a second) for a key another instance added. */
  verificationKey(kid: string | undefined): Promise<CryptoKey | Uint8Array>;
  /** Starts signing with a new key; the old public keys stay in the JWKS. Returns the new kid. */
  rotate(): Promise<string>;
  jwks(): Promise<JSONWebKeySet>;
}

/** How the guard's failure report names this service's keys. */
const KEY_STORE_SOURCE = "the token service's key store (jwtKeys)";

export function signingKeyRing(
  jwtKeys: JwtKeyStore,
  algorithm: SigningAlgorithm,
  secret: string | undefined,
): SigningKeyRing {
  const hmacKey = algorithm === 'HS256' ? new TextEncoder().encode(secret) : undefined;

  let keys: StoredJwtKey[] = [];
  let loaded: Promise<void> | undefined;
  let lastReload = 0;

  async function reload(): Promise<void> {
    keys = (await jwtKeys.listJwtKeys()).filter((k) => k.alg === algorithm);
    lastReload = Date.now();
  }

  async function ensureKeys(): Promise<void> {
    if (hmacKey) return;
    loaded ??= (async () => {
      await reload();
      if (keys.length === 0) {
        await addKey(jwtKeys, algorithm);
        await reload();
      }
    })().catch((error) => {
      loaded = undefined;
      throw error;
    });
    await loaded;
  }

  return {
    hmacKey,

    async signingKey() {
      if (hmacKey) return { key: hmacKey };
      await ensureKeys();
      const newest = keys.reduce((a, b) =>
        b.createdAt > a.createdAt || (b.createdAt === a.createdAt && b.kid > a.kid) ? b : a,
      );
      return { key: (await importJWK(newest.privateJwk as JWK, algorithm)) as CryptoKey, kid: newest.kid };
    },

    async verificationKey(kid) {
      if (hmacKey) return hmacKey;
      let found: StoredJwtKey | undefined;
      try {
        await ensureKeys();
        found = keys.find((k) => k.kid === kid);
        if (!found && Date.now() - lastReload > 1000) {
          await reload();
          found = keys.find((k) => k.kid === kid);
        }
      } catch (error) {
        // The store could not give the keys: the server's failure (503 keys_unavailable), not the token's.
        throw new KeySourceError(KEY_STORE_SOURCE, error);
      }
      if (!found?.publicJwk) throw new errors.JWKSNoMatchingKey('no signing key of this service has that kid');
      return (await importJWK(found.publicJwk as JWK, algorithm)) as CryptoKey;
    },

    async rotate() {
      if (hmacKey)
        throw invalidArgument('rotateSigningKey: an HS256 service has one secret; rotate it by deploying a new one');
      await ensureKeys();
      const kid = await addKey(jwtKeys, algorithm);
      await reload();
      return kid;
    },

    async jwks() {
      if (hmacKey) return { keys: [] };
      await ensureKeys();
      return { keys: keys.filter((k) => k.publicJwk).map((k) => k.publicJwk as JWK) };
    },
  };
}

/** Generates a key pair and keeps it in the store; returns its kid. */
async function addKey(jwtKeys: JwtKeyStore, algorithm: SigningAlgorithm): Promise<string> {
  const pair = await generateKeyPair(algorithm, {
    extractable: true,
    ...(algorithm === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  const kid = `${new Date().toISOString().slice(0, 10)}-${randomBytes(6).toString('hex')}`;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid, alg: algorithm, use: 'sig' };
  await jwtKeys.addJwtKey({
    kid,
    alg: algorithm,
    privateJwk: (await exportJWK(pair.privateKey)) as Record<string, unknown>,
    publicJwk,
    createdAt: Date.now(),
  });
  return kid;
}
