/**
 * The Digest credentials for one request (RFC 7616 §3.4): the response hash over the password,
 * the nonce and the request, with the qop, nonce count and client nonce that go with it, and the
 * username hashed when the server asks for userhash.
 */
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { formatAuthorization } from '../../http/index.ts';
import { type OutgoingRequest, pathAndQuery } from '../outgoing-request.ts';
import type { NonceState } from './digest-choice.ts';

/** Who answers a Digest challenge, and how: the username and password, the qop preferred, the client nonces. */
export interface DigestAnswerer {
  username: string;
  password: string;
  /** The qop used when the server offers both. */
  preferredQop: 'auth' | 'auth-int';
  /** Makes a client nonce. */
  makeCnonce: () => string;
}

/** Sets the request's Authorization to answer `state`'s challenge, counting one more use of its nonce. */
export async function authorizeDigest(
  request: OutgoingRequest,
  state: NonceState,
  answerer: DigestAnswerer,
): Promise<void> {
  const { username, password } = answerer;
  const { challenge, hash } = state;
  const H = (text: string | Uint8Array) => bytesToHex(hash(typeof text === 'string' ? utf8ToBytes(text) : text));
  const realm = challenge.params['realm'] ?? '';
  const qop = chooseQop(challenge.params['qop'], answerer.preferredQop);
  const uri = pathAndQuery(request.url);
  const cnonce = answerer.makeCnonce();
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

/** The qop to answer with: the preferred one if offered, else `auth`, else `auth-int`; none if none is offered. */
function chooseQop(offeredParam: string | undefined, preferred: 'auth' | 'auth-int'): 'auth' | 'auth-int' | undefined {
  const offered = (offeredParam ?? '')
    .split(',')
    .map((q) => q.trim().toLowerCase())
    .filter(Boolean);
  if (offered.length === 0) return undefined;
  if (offered.includes(preferred)) return preferred;
  if (offered.includes('auth')) return 'auth';
  if (offered.includes('auth-int')) return 'auth-int';
  return undefined;
}
