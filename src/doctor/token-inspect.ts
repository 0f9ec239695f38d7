/** `gatehouse token inspect`: a JWT decoded locally, never sent anywhere, with what the doctor would flag. */
import { parseHttpDate } from '../http/index.ts';
import { decodeJwt } from '../http/jwt.ts';
import { iso, pastedToken, relative, secondsClaim } from './jwt.ts';

export interface TokenInspection {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  times: Array<{ claim: string; at: string; local: string; server?: string }>;
  flags: Array<{ code: string; message: string }>;
}

export function inspectToken(
  token: string,
  options: { serverDate?: string; key?: string | Uint8Array; now?: number } = {},
): TokenInspection | undefined {
  const jwt = decodeJwt(pastedToken(token));
  if (!jwt) return undefined;
  const now = options.now ?? Date.now();
  const server = parseHttpDate(options.serverDate);
  const times = (['iat', 'nbf', 'exp'] as const).flatMap((claim) => {
    const seconds = secondsClaim(jwt, claim);
    if (seconds === undefined) return [];
    const at = seconds * 1000;
    return [
      {
        claim,
        at: iso(at),
        local: relative(at - now),
        ...(server !== undefined ? { server: relative(at - server) } : {}),
      },
    ];
  });
  const judge = server ?? now;
  const flags: TokenInspection['flags'] = [];
  const exp = secondsClaim(jwt, 'exp');
  const nbf = secondsClaim(jwt, 'nbf');
  const alg = String(jwt.header['alg'] ?? '');
  if (alg.toLowerCase() === 'none')
    flags.push({ code: 'alg_none', message: 'unsigned (alg none): no API should accept it' });
  if (exp === undefined)
    flags.push({ code: 'no_exp', message: 'no exp: the token never expires, so a leaked copy works forever' });
  else if (exp * 1000 <= judge)
    flags.push({
      code: 'token_expired',
      message: `expired ${relative(exp * 1000 - judge).replace(' ago', '')} ago by ${server !== undefined ? "the server's clock" : 'the local clock'}`,
    });
  if (nbf !== undefined && nbf * 1000 > judge)
    flags.push({
      code: 'token_not_yet_valid',
      message: `not valid for another ${relative(nbf * 1000 - judge).replace('in ', '')}`,
    });
  if (options.key !== undefined && alg.startsWith('HS')) {
    const bytes = typeof options.key === 'string' ? new TextEncoder().encode(options.key).length : options.key.length;
    const needed = Number(alg.slice(2)) / 8;
    if (bytes < needed)
      flags.push({
        code: 'weak_hmac_key',
        message: `the ${alg} key is ${bytes} bytes; RFC 7518 §3.2 requires at least ${needed}`,
      });
  }
  return { header: jwt.header, claims: jwt.payload, times, flags };
}
