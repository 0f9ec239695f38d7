/**
 * A DPoP key (RFC 9449): an ES256 key pair made with WebCrypto, its private half non-extractable
 * (it can sign, never be read out, in a browser or in Node), and a fresh proof per request (§4.2:
 * `htm`, `htu` without query and fragment, `iat`, a random `jti`, `ath` for a resource request, the
 * server's `nonce` when it asked for one). Nonces are remembered per origin from every answer's
 * `DPoP-Nonce`, a 200's as a refusal's (§8.2, §9), for the 256 origins used last. The token sources
 * use it for token requests, `bearer(source, { dpop })` for resource requests.
 */
import { invalidArgument } from '../../http/argument-error.ts';

export interface DpopKey {
  /** A proof for one request; `accessToken` for a resource request (its `ath`). */
  proof(method: string, url: URL, accessToken?: string): Promise<string>;
  /**
   * Keeps the `DPoP-Nonce` of an answer from `url`'s origin, whatever its status (a 200 brings the
   * server's next nonce, RFC 9449 §8.2); true when it was a new one.
   */
  rememberNonce(url: URL, response: Response): boolean;
  /** The key's JWK SHA-256 thumbprint (RFC 7638): the `cnf.jkt` of tokens bound to it. */
  thumbprint(): Promise<string>;
}

/**
 * A WebCrypto key, named through the global `CryptoKey` constructor: the same type with the DOM lib
 * and with @types/node alone (which has no global `CryptoKeyPair` type).
 */
export type WebCryptoKey = InstanceType<typeof CryptoKey>;

/** A WebCrypto key pair (a `CryptoKeyPair`), by shape. */
export interface DpopKeyPair {
  readonly privateKey: WebCryptoKey;
  readonly publicKey: WebCryptoKey;
}

export interface DpopKeyOptions {
  /** An ES256 (P-256) key pair of your own, e.g. one kept in IndexedDB. @default a new non-extractable one */
  keyPair?: DpopKeyPair;
}

/**
 * The most origins whose nonce a key keeps: a client that meets many servers (a crawler, a proxy)
 * does not grow without end. A forgotten origin's next request is refused once for its nonce and
 * sent again with it, nothing worse.
 */
const NONCE_ORIGINS = 256;

/**
 * The nonce of each origin, least recently used first. Invariant: at most NONCE_ORIGINS entries, in
 * the order of their last use (a nonce kept or put in a proof moves to the end), so the first entry
 * is the one dropped for a new origin.
 */
function originNonces() {
  const nonces = new Map<string, string>();
  const touch = (origin: string, nonce: string) => {
    nonces.delete(origin);
    nonces.set(origin, nonce);
  };
  return {
    use(origin: string): string | undefined {
      const nonce = nonces.get(origin);
      if (nonce !== undefined) touch(origin, nonce);
      return nonce;
    },
    /** Keeps `nonce` for `origin`; true when it differs from the one kept. */
    keep(origin: string, nonce: string): boolean {
      const fresh = nonces.get(origin) !== nonce;
      touch(origin, nonce);
      if (nonces.size > NONCE_ORIGINS) nonces.delete(nonces.keys().next().value!);
      return fresh;
    },
  };
}

const utf8 = new TextEncoder();
const b64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const jsonPart = (value: unknown) => b64url(utf8.encode(JSON.stringify(value)));

/** Creates a DPoP key; the key pair is made on first use. */
export function dpop(options: DpopKeyOptions = {}): DpopKey {
  const given = options.keyPair;
  if (given !== undefined && (!given.privateKey || !given.publicKey))
    throw invalidArgument('dpop({ keyPair }): pass a CryptoKeyPair (an ES256 P-256 key pair)');
  const nonces = originNonces();
  let ready: Promise<{ keyPair: DpopKeyPair; jwk: Record<string, string> }> | undefined;
  const key = () => {
    ready ??= (async () => {
      const keyPair =
        given ??
        // The private key is not extractable: only this key object can sign (the public key always is).
        ((await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
          'sign',
          'verify',
        ])) as DpopKeyPair);
      const { kty, crv, x, y } = (await crypto.subtle.exportKey('jwk', keyPair.publicKey)) as Record<string, string>;
      return { keyPair, jwk: { crv: crv!, kty: kty!, x: x!, y: y! } };
    })();
    return ready;
  };
  return {
    async proof(method, url, accessToken) {
      const { keyPair, jwk } = await key();
      const payload: Record<string, unknown> = {
        jti: b64url(crypto.getRandomValues(new Uint8Array(24))),
        htm: method.toUpperCase(),
        // RFC 9449 §4.2: the URI without query and fragment.
        htu: `${url.origin}${url.pathname}`,
        iat: Math.floor(Date.now() / 1000),
      };
      const nonce = nonces.use(url.origin);
      if (nonce !== undefined) payload['nonce'] = nonce;
      if (accessToken !== undefined)
        payload['ath'] = b64url(await crypto.subtle.digest('SHA-256', utf8.encode(accessToken)));
      const input = `${jsonPart({ typ: 'dpop+jwt', alg: 'ES256', jwk })}.${jsonPart(payload)}`;
      // WebCrypto's ECDSA signature is r || s, the form JWS ES256 takes (RFC 7518 §3.4).
      const signature = await crypto.subtle.sign(
        { name: 'ECDSA', hash: 'SHA-256' },
        keyPair.privateKey,
        utf8.encode(input),
      );
      return `${input}.${b64url(signature)}`;
    },
    rememberNonce(url, response) {
      const nonce = response.headers.get('dpop-nonce');
      // RFC 9449 §8.1: a nonce is 1*NQCHAR; anything else is not sent back.
      if (nonce === null || !/^[\x21\x23-\x5B\x5D-\x7E]{1,512}$/.test(nonce)) return false;
      return nonces.keep(url.origin, nonce);
    },
    async thumbprint() {
      const { jwk } = await key();
      // RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
      const canonical = JSON.stringify({ crv: jwk['crv'], kty: jwk['kty'], x: jwk['x'], y: jwk['y'] });
      return b64url(await crypto.subtle.digest('SHA-256', utf8.encode(canonical)));
    },
  };
}
