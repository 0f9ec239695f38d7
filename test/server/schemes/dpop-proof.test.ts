/** The DPoP proof verifier (RFC 9449 §4.3) on its own: what no well-behaved client sends. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { dpopVerifier } from '../../../src/server/schemes/dpop-proof.ts';
import { redisNonces } from '../../../src/stores/redis.ts';
import { proof, proofKey } from '../../support/dpop-world.ts';
import { connectRedis, runPrefix } from '../../support/services.ts';

const url = new URL('http://127.0.0.1:8080/api/me?q=1');
const htu = 'http://127.0.0.1:8080/api/me';

describe('dpopVerifier', () => {
  it('accepts a proof with an EdDSA key too, and answers the key thumbprint', async () => {
    const key = await proofKey('EdDSA');
    const result = await dpopVerifier().verify([await proof(key, { htm: 'GET', htu, alg: 'EdDSA' })], {
      method: 'GET',
      url,
    });
    assert.deepEqual(result, { jkt: key.jkt });
  });

  it('refuses HS256 and alg none, and a jwk with private members', async () => {
    const verifier = dpopVerifier();
    const secret = new Uint8Array(32).fill(7);
    const hs = await new SignJWT({ htm: 'GET', htu, jti: 'a' })
      .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct' } })
      .setIssuedAt()
      .sign(secret);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'dpop+jwt' })).toString('base64url')}.${Buffer.from(
      JSON.stringify({ htm: 'GET', htu, jti: 'b', iat: Math.floor(Date.now() / 1000) }),
    ).toString('base64url')}.`;
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const key = await proofKey();
    const leaky = await proof(key, { htm: 'GET', htu, jwk: { ...(await exportJWK(privateKey)) } });
    for (const p of [hs, none, leaky, 'not-a-jws']) {
      const result = await verifier.verify([p], { method: 'GET', url });
      assert.ok('error' in result && result.error === 'invalid_dpop_proof', p.slice(0, 20));
    }
  });

  it('refuses a proof signed by another key than its jwk header names', async () => {
    const key = await proofKey();
    const other = await proofKey();
    const result = await dpopVerifier().verify([await proof(key, { htm: 'GET', htu, jwk: other.jwk })], {
      method: 'GET',
      url,
    });
    assert.ok('error' in result && /signature/.test(result.detail));
  });

  // Found by the newcomer: crypto.subtle.exportKey('jwk') of an Ed25519 key writes alg "Ed25519",
  // and jose signs Ed25519 as "EdDSA"; the proof was refused as a signature that does not verify,
  // which sent them looking at the signing code. The jwk is what does not fit, and the detail says so.
  it('says a jwk that does not fit the alg is the jwk, not a signature that fails', async () => {
    const key = await proofKey('EdDSA');
    const misfits: Array<[string, object]> = [
      ['a jwk alg of Ed25519 under EdDSA', { ...key.jwk, alg: 'Ed25519' }],
      ['key_ops without verify', { ...key.jwk, key_ops: ['sign'] }],
      ['use enc', { ...key.jwk, use: 'enc' }],
    ];
    for (const [label, jwk] of misfits) {
      const result = await dpopVerifier().verify([await proof(key, { htm: 'GET', htu, alg: 'EdDSA', jwk })], {
        method: 'GET',
        url,
      });
      assert.ok('error' in result && result.error === 'invalid_dpop_proof', label);
      assert.doesNotMatch(result.detail, /signature/, label);
      assert.match(result.detail, /jwk/, label);
      assert.match(result.detail, /EdDSA/, label);
    }
  });

  it('compares htu with the public base URL behind a proxy, and says which htu it wanted', async () => {
    const verifier = dpopVerifier({ publicBaseUrl: 'https://api.example.com/v1/' });
    const key = await proofKey();
    const good = await proof(key, { htm: 'GET', htu: 'https://api.example.com/v1/api/me' });
    assert.deepEqual(await verifier.verify([good], { method: 'GET', url }), { jkt: key.jkt });
    const direct = await verifier.verify([await proof(key, { htm: 'GET', htu })], { method: 'GET', url });
    assert.ok('error' in direct && direct.detail.includes('https://api.example.com/v1/api/me'));
  });

  it('takes iatWindowSeconds: a proof 30 s old passes the default window, not a 10 s one', async () => {
    const key = await proofKey();
    const iat = Math.floor(Date.now() / 1000) - 30;
    assert.ok(
      !('error' in (await dpopVerifier().verify([await proof(key, { htm: 'GET', htu, iat })], { method: 'GET', url }))),
    );
    const narrow = dpopVerifier({ iatWindowSeconds: 10 });
    assert.ok('error' in (await narrow.verify([await proof(key, { htm: 'GET', htu, iat })], { method: 'GET', url })));
  });

  it('refuses options it cannot honour', () => {
    assert.throws(() => dpopVerifier({ algorithms: ['HS256' as 'ES256'] }), /algorithms/);
    assert.throws(() => dpopVerifier({ nonce: { secret: 'short' } }), /32 bytes/);
    // A nonce that lives no time at all would be refused forever.
    const secret = 'nonce-secret-of-at-least-32-bytes!!';
    for (const lifetimeSeconds of [0, -5, Number.NaN, Number.POSITIVE_INFINITY])
      assert.throws(() => dpopVerifier({ nonce: { secret, lifetimeSeconds } }), /lifetimeSeconds/);
    assert.throws(() => dpopVerifier({ publicBaseUrl: 'ftp://x' }), /publicBaseUrl/);
  });

  it('takes iatWindowSeconds as whole seconds from 1 to 3600, and refuses any other when made', () => {
    // A fraction made Redis refuse the jti's expiry (PX) at the first request, a 500; Infinity kept
    // every jti for ever, and NaN refused every proof.
    for (const iatWindowSeconds of [0, -1, 0.5, 1.5, 59.9, Number.NaN, Number.POSITIVE_INFINITY, 3601, '60' as never])
      assert.throws(
        () => dpopVerifier({ iatWindowSeconds }),
        (error: Error & { code?: string }) =>
          error.code === 'ERR_GATEHOUSE_INVALID_ARGUMENT' &&
          error.message.includes('iatWindowSeconds must be a whole number of seconds from 1 to 3600'),
        String(iatWindowSeconds),
      );
    for (const iatWindowSeconds of [1, 60, 3600]) dpopVerifier({ iatWindowSeconds });
  });

  it('a fleet sharing Redis as the replay cache and one nonce secret: a proof one instance took, another refuses', async (t) => {
    const redis = await connectRedis(t);
    if (!redis) return;
    try {
      const nonces = redisNonces(redis, { prefix: runPrefix('dpop-jti') });
      const nonce = { secret: 'fleet-nonce-secret-at-least-32-bytes' };
      const [a, b] = [dpopVerifier({ nonces, nonce }), dpopVerifier({ nonces, nonce })];
      const key = await proofKey();
      const p = await proof(key, { htm: 'GET', htu, nonce: a.nonce()! });
      assert.deepEqual(await a.verify([p], { method: 'GET', url }), { jkt: key.jkt });
      const again = await b.verify([p], { method: 'GET', url });
      assert.ok('error' in again && /already used/.test(again.detail));
      // Instance b takes a's nonce in a proof of its own.
      const fresh = await proof(key, { htm: 'GET', htu, nonce: a.nonce()! });
      assert.deepEqual(await b.verify([fresh], { method: 'GET', url }), { jkt: key.jkt });
    } finally {
      await redis.quit();
    }
  });
});
