/**
 * A Digest (RFC 7616) server for tests, with its own hashing through node:crypto, so the
 * client's @noble/hashes implementation is checked against an independent one.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseAuthorization } from '../../src/http/index.ts';
import { json } from './server.ts';

export interface DigestServerOptions {
  username: string;
  password: string;
  realm?: string;
  /** As sent in the challenge, e.g. MD5, SHA-256, SHA-512-256-sess; undefined sends none (MD5). */
  algorithm?: string | undefined;
  /** The qop list offered; '' offers none (RFC 2069 compatibility). */
  qop?: string;
  /** A nonce goes stale after this many successful uses. */
  staleAfter?: number;
  userhash?: boolean;
}

const NODE_HASH: Record<string, string> = {
  MD5: 'md5',
  'SHA-256': 'sha256',
  'SHA-512-256': 'sha512-256',
  'SHA-512': 'sha512',
};

export function digestHandler(options: DigestServerOptions) {
  const realm = options.realm ?? 'digest@test';
  const algorithm = options.algorithm;
  const base = (algorithm ?? 'MD5').toUpperCase().replace(/-SESS$/, '');
  const session = /-sess$/i.test(algorithm ?? '');
  const H = (data: string | Buffer) => createHash(NODE_HASH[base]!).update(data).digest('hex');
  const qop = options.qop ?? 'auth';
  const nonces = new Map<string, { uses: number; lastNc: number }>();

  const challenge = (stale: boolean) => {
    const nonce = randomBytes(16).toString('hex');
    nonces.set(nonce, { uses: 0, lastNc: 0 });
    const parts = [`realm="${realm}"`];
    if (qop) parts.push(`qop="${qop}"`);
    if (algorithm) parts.push(`algorithm=${algorithm}`);
    parts.push(`nonce="${nonce}"`, 'opaque="0pa9ue"');
    if (stale) parts.push('stale=true');
    if (options.userhash) parts.push('userhash=true');
    return `Digest ${parts.join(', ')}`;
  };

  return (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const parsed = parseAuthorization(req.headers.authorization);
    if (!parsed.ok || parsed.credentials.kind !== 'digest') {
      return json(res, 401, { authenticated: false }, { 'www-authenticate': challenge(false) });
    }
    const d = parsed.credentials.digest;
    const state = nonces.get(d.nonce);
    const expectedUser = options.userhash ? H(`${options.username}:${realm}`) : options.username;
    let ha1 = H(`${options.username}:${realm}:${options.password}`);
    if (session) ha1 = H(`${ha1}:${d.nonce}:${d.cnonce}`);
    const ha2 = d.qop === 'auth-int' ? H(`${req.method}:${d.uri}:${H(body)}`) : H(`${req.method}:${d.uri}`);
    const expected = d.qop ? H(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${ha2}`) : H(`${ha1}:${d.nonce}:${ha2}`);
    const nc = Number.parseInt(d.nc ?? '0', 16);
    const valid =
      state !== undefined &&
      d.username === expectedUser &&
      d.realm === realm &&
      d.uri === req.url &&
      d.opaque === '0pa9ue' &&
      d.response === expected &&
      (!qop || nc > state.lastNc) &&
      (d.userhash ?? false) === (options.userhash ?? false);
    if (!valid) return json(res, 401, { authenticated: false }, { 'www-authenticate': challenge(false) });
    if (options.staleAfter !== undefined && state.uses >= options.staleAfter) {
      nonces.delete(d.nonce);
      return json(res, 401, { authenticated: false, stale: true }, { 'www-authenticate': challenge(true) });
    }
    state.uses++;
    state.lastNc = nc;
    json(res, 200, { authenticated: true, user: options.username, qop: d.qop ?? null, nc: d.nc ?? null });
  };
}
