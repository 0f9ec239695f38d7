/**
 * A DPoP proof's JWS (dpop-proof-jws.ts), through the verifier that uses it: the cases jose's
 * jwtVerify with EmbeddedJWK accepts and refuses, held to the same answers, and the bound on the
 * keys it remembers.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { dpopVerifier } from '../../../src/server/schemes/dpop-proof.ts';
import { ProofKeys } from '../../../src/server/schemes/dpop-proof-jws.ts';

const url = new URL('http://127.0.0.1:8080/api/me?q=1');
const htu = 'http://127.0.0.1:8080/api/me';

/** A compact JWS signed by hand, so that any header or payload can be sent (jose's SignJWT refuses some). */
function signedJws(key: KeyObject, alg: string, header: object, payload: object | string): string {
  const b64 = (value: object | string) =>
    Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
  const input = `${b64({ alg, typ: 'dpop+jwt', ...header })}.${b64(payload)}`;
  const signature =
    key.asymmetricKeyType === 'ed25519'
      ? sign(null, Buffer.from(input), key)
      : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

describe('dpopVerifier: the proof as a JWS (RFC 7515, RFC 7517), one key through every case', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (extra: object = {}) => ({ htm: 'GET', htu, jti: randomUUID(), iat: now(), ...extra });
  const es = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed = generateKeyPairSync('ed25519');
  const esJwk = es.publicKey.export({ format: 'jwk' });
  const edJwk = ed.publicKey.export({ format: 'jwk' });
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
  // A key whose coordinates base64 and base64url write differently (a '-' or '_' in one of them).
  let plain = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  while (!/[-_]/.test(`${plain.publicKey.export({ format: 'jwk' }).x}`))
    plain = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const plainJwk = plain.publicKey.export({ format: 'jwk' });
  const toBase64 = (text: string) => text.replaceAll('-', '+').replaceAll('_', '/');
  // The last character of 32 bytes in base64url carries 4 bits of the key and 2 unused ones: set one
  // of those, and the text decodes to the same bytes.
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const loose = (text: string) => text.slice(0, -1) + ALPHABET[ALPHABET.indexOf(text.at(-1)!) ^ 1];
  const es256 = (header: object, payload: object | string = claims()) =>
    signedJws(es.privateKey, 'ES256', { jwk: esJwk, ...header }, payload);
  // A character from the middle: the last one of a base64url text may carry only padding bits.
  const flip = (text: string, at: number) =>
    `${text.slice(0, at)}${text.at(at) === 'A' ? 'B' : 'A'}${at === -1 ? '' : text.slice(at + 1)}`;
  const accepted: Array<[string, () => string]> = [
    ['a plain ES256 proof', () => es256({})],
    [
      'a jwk with the optional members that agree (kid, use sig, alg, key_ops verify, ext)',
      () => es256({ jwk: { ...esJwk, kid: 'k1', use: 'sig', alg: 'ES256', key_ops: ['verify'], ext: true } }),
    ],
    [
      'crit naming b64, with b64 true (RFC 7797: the payload still base64url)',
      () => es256({ crit: ['b64'], b64: true }),
    ],
    ['b64 false without crit (ignored, RFC 7797 §6)', () => es256({ b64: false })],
    ['an Ed25519 key under alg EdDSA', () => signedJws(ed.privateKey, 'EdDSA', { jwk: edJwk }, claims())],
    ['an Ed25519 key under alg Ed25519', () => signedJws(ed.privateKey, 'Ed25519', { jwk: edJwk }, claims())],
    ['an exp and nbf that hold', () => es256({}, claims({ exp: now() + 60, nbf: now() - 1 }))],
  ];
  const refused: Array<[string, () => string]> = [
    ['an unknown crit extension', () => es256({ crit: ['exp'], exp: 1 })],
    ['crit naming b64, with b64 false (a JWT is never unencoded)', () => es256({ crit: ['b64'], b64: false })],
    ['crit not an array', () => es256({ crit: 'b64', b64: true })],
    ['a jwk for encryption (use enc)', () => es256({ jwk: { ...esJwk, use: 'enc' } })],
    ['a jwk for another alg', () => es256({ jwk: { ...esJwk, alg: 'ES384' } })],
    [
      'a jwk whose alg is Ed25519 under alg EdDSA',
      () => signedJws(ed.privateKey, 'EdDSA', { jwk: { ...edJwk, alg: 'Ed25519' } }, claims()),
    ],
    ['a jwk whose key_ops lack verify', () => es256({ jwk: { ...esJwk, key_ops: ['sign'] } })],
    ['a jwk whose key_ops repeat verify', () => es256({ jwk: { ...esJwk, key_ops: ['verify', 'verify'] } })],
    ['a jwk whose ext is not a boolean', () => es256({ jwk: { ...esJwk, ext: 'yes' } })],
    ['a jwk with a priv member', () => es256({ jwk: { ...esJwk, priv: 'AAAA' } })],
    ['a jwk of another curve (P-384 under ES256)', () => es256({ jwk: p384 })],
    ['an OKP jwk under ES256', () => es256({ jwk: edJwk })],
    ['an EC jwk under EdDSA', () => signedJws(ed.privateKey, 'EdDSA', { jwk: esJwk }, claims())],
    ['a jwk that is not an object', () => es256({ jwk: 'key' })],
    ['a jwk whose x is not on the curve', () => es256({ jwk: { ...esJwk, x: flip(esJwk.x!, 20) } })],
    ['a jwk without y', () => es256({ jwk: { ...esJwk, y: undefined } })],
    ['a jwk whose y is a number', () => es256({ jwk: { ...esJwk, y: 7 } })],
    ['a jwk whose coordinate is one byte short', () => es256({ jwk: { ...esJwk, x: esJwk.x!.slice(0, 42) } })],
    // The same key written another way would be another thumbprint: a coordinate is base64url
    // without padding (RFC 7515 §2), of the curve's full size (RFC 7518 §6.2.1.2), and canonical.
    ['a jwk whose x is padded', () => es256({ jwk: { ...esJwk, x: `${esJwk.x}=` } })],
    ['a jwk whose y is padded', () => es256({ jwk: { ...esJwk, y: `${esJwk.y}=` } })],
    [
      'a jwk whose x has the unused bits of its last character set',
      () => es256({ jwk: { ...esJwk, x: loose(esJwk.x!) } }),
    ],
    [
      'a jwk whose x has a leading zero byte',
      () =>
        es256({
          jwk: {
            ...esJwk,
            x: Buffer.concat([Buffer.alloc(1), Buffer.from(esJwk.x!, 'base64url')]).toString('base64url'),
          },
        }),
    ],
    [
      'a jwk whose x is in base64 rather than base64url',
      () =>
        signedJws(
          plain.privateKey,
          'ES256',
          { jwk: { ...plainJwk, x: toBase64(plainJwk.x!), y: toBase64(plainJwk.y!) } },
          claims(),
        ),
    ],
    [
      'an Ed25519 jwk whose x is padded',
      () => signedJws(ed.privateKey, 'EdDSA', { jwk: { ...edJwk, x: `${edJwk.x}=` } }, claims()),
    ],
    [
      'an Ed25519 jwk whose x has the unused bits of its last character set',
      () => signedJws(ed.privateKey, 'EdDSA', { jwk: { ...edJwk, x: loose(edJwk.x!) } }, claims()),
    ],
    // RFC 9449 §4.3 point 7: no private key. RSA's private members on an EC key are one too.
    ...['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'].map((member): [string, () => string] => [
      `a jwk with the private member ${member}`,
      () => es256({ jwk: { ...esJwk, [member]: esJwk.x } }),
    ]),
    ['an expired proof (exp)', () => es256({}, claims({ exp: now() - 1 }))],
    ['a proof not yet valid (nbf)', () => es256({}, claims({ nbf: now() + 60 }))],
    ['an exp that is a string', () => es256({}, claims({ exp: String(now() + 60) }))],
    ['an iat that is a string', () => es256({}, claims({ iat: String(now()) }))],
    ['a payload that is an array', () => es256({}, [claims()])],
    ['a payload that is not JSON', () => es256({}, 'not json')],
    ['a signature that is tampered with', () => flip(es256({}), -20)],
    ['a signature with a character outside base64url', () => `${es256({})}*`],
    ['a signature of the wrong length', () => `${es256({})}AAAA`],
    [
      'a signature in DER',
      () => {
        const input = es256({}).split('.').slice(0, 2).join('.');
        return `${input}.${sign('sha256', Buffer.from(input), es.privateKey).toString('base64url')}`;
      },
    ],
    ['four segments', () => `${es256({})}.x`],
    [
      'a header that is a JSON array',
      () => {
        const [, payload, signature] = es256({}).split('.');
        return `${Buffer.from('["dpop+jwt"]').toString('base64url')}.${payload}.${signature}`;
      },
    ],
  ];
  // Refused with what to mend: the coordinate's writing, not a signature that does not verify.
  const COORDINATE_CASES = new Set([
    'a jwk whose coordinate is one byte short',
    'a jwk whose x is padded',
    'a jwk whose y is padded',
    'a jwk whose x has the unused bits of its last character set',
    'a jwk whose x has a leading zero byte',
    'a jwk whose x is in base64 rather than base64url',
    'an Ed25519 jwk whose x is padded',
    'an Ed25519 jwk whose x has the unused bits of its last character set',
    'a jwk without y',
    'a jwk whose y is a number',
  ]);
  // A jwk whose own members (use, alg, key_ops, ext, priv) or key type and curve say it is not for this alg.
  const MISFITS = new Set([
    'a jwk for encryption (use enc)',
    'a jwk for another alg',
    'a jwk whose alg is Ed25519 under alg EdDSA',
    'a jwk whose key_ops lack verify',
    'a jwk whose key_ops repeat verify',
    'a jwk whose ext is not a boolean',
    'a jwk with a priv member',
    'a jwk of another curve (P-384 under ES256)',
    'an OKP jwk under ES256',
    'an EC jwk under EdDSA',
  ]);
  const verifier = dpopVerifier({ algorithms: ['ES256', 'EdDSA', 'Ed25519'] });
  const thumbprintOf = (jwk: JsonWebKey) =>
    createHash('sha256')
      .update(
        JSON.stringify(
          jwk.kty === 'EC'
            ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
            : { crv: jwk.crv, kty: jwk.kty, x: jwk.x },
        ),
      )
      .digest('base64url');

  it('accepts ES256 signatures whose R or S starts with a zero byte, or with its high bit set', async () => {
    // R and S are fixed-width in a JWS (RFC 7518 §3.4): one in 256 starts with a zero byte, half with a high bit.
    const seen = new Set<string>();
    for (let i = 0; i < 20_000 && seen.size < 4; i++) {
      const p = es256({});
      const signature = Buffer.from(p.split('.')[2]!, 'base64url');
      const kinds = [
        signature[0] === 0 && 'R zero',
        signature[32] === 0 && 'S zero',
        signature[0]! >= 0x80 && 'R high',
        signature[32]! >= 0x80 && 'S high',
      ];
      const fresh = kinds.filter((kind): kind is string => kind !== false && !seen.has(kind));
      if (fresh.length === 0) continue;
      assert.deepEqual(await verifier.verify([p], { method: 'GET', url }), { jkt: thumbprintOf(esJwk) }, fresh.join());
      for (const kind of fresh) seen.add(kind);
    }
    assert.equal(seen.size, 4);
  });

  // Accepted first: the key is known (seen, verified) when the same key comes back with members that refuse it.
  for (const [name, make] of accepted)
    it(`accepts ${name}`, async () => {
      const p = make();
      const jwk = JSON.parse(Buffer.from(p.split('.')[0]!, 'base64url').toString()).jwk;
      assert.deepEqual(await verifier.verify([p], { method: 'GET', url }), { jkt: thumbprintOf(jwk) });
    });
  for (const [name, make] of refused)
    it(`refuses ${name}`, async () => {
      const result = await verifier.verify([make()], { method: 'GET', url });
      assert.ok('error' in result, 'accepted');
      assert.equal(result.error, 'invalid_dpop_proof');
      // What the client is told: the key it sent is no public key, does not fit the alg (its own
      // members or its type say otherwise), or the proof does not verify with it.
      const expected =
        name === 'a jwk that is not an object' || name.startsWith('a jwk with the private member')
          ? /the public key/
          : COORDINATE_CASES.has(name)
            ? /unpadded base64url of the curve's full size/
            : MISFITS.has(name)
              ? /jwk does not fit its alg/
              : name === 'four segments' || name === 'a header that is a JSON array'
                ? /not a compact JWS/
                : /signature does not verify/;
      assert.match(result.detail, expected);
    });
});

describe('ProofKeys', () => {
  it('remembers at most 1,024 keys: the least recently used is forgotten first', () => {
    const keys = new ProofKeys();
    const key = generateKeyPairSync('ed25519').publicKey;
    for (let i = 0; i < 1024; i++) keys.keep(`k${i}`, key);
    assert.equal(keys.get('k0'), key); // used: now the most recent
    keys.keep('k1024', key);
    assert.equal(keys.size, 1024);
    assert.equal(keys.get('k1'), undefined);
    assert.equal(keys.get('k0'), key);
    assert.equal(keys.get('k1024'), key);
  });
});
