// The authentication of each server-guard configuration: the guard (none for the peers and the
// baselines) and the Authorization header the load sends. Shared by the servers and the in-process measure.
import { generateKeyPair, SignJWT } from 'jose';
import {
  basicScheme,
  bearerScheme,
  createGuard,
  type Guard,
  hashPassword,
  memoryUsers,
} from '../../src/server/index.ts';

export const SECRET = 'bench-hs256-secret-of-at-least-32-bytes!!';

export async function configuration(variant: string): Promise<{ guard: Guard | undefined; authorization: string }> {
  // jwtHs256Handler: the same guard around the route's handler (protectHandler) rather than as middleware.
  // floorJwt: no guard, the token a table of known tokens holds (routes.ts, floorCheck).
  if (variant === 'jwtHs256' || variant === 'jwtHs256Handler' || variant === 'peerJwt' || variant === 'floorJwt') {
    const authorization = `Bearer ${await new SignJWT({ scope: 'read' }).setProtectedHeader({ alg: 'HS256' }).setSubject('u1').setExpirationTime('1h').sign(new TextEncoder().encode(SECRET))}`;
    const guard =
      variant !== 'peerJwt' && variant !== 'floorJwt'
        ? createGuard({ schemes: [bearerScheme({ jwt: { key: SECRET, algorithms: ['HS256'] } })] })
        : undefined;
    return { guard, authorization };
  }
  if (variant === 'jwtEs256') {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    return {
      // As a real resource server takes an issuer's tokens: for its own audience only.
      guard: createGuard({
        schemes: [bearerScheme({ jwt: { key: publicKey, algorithms: ['ES256'], audience: 'https://bench.example' } })],
      }),
      authorization: `Bearer ${await new SignJWT({ scope: 'read' }).setProtectedHeader({ alg: 'ES256' }).setSubject('u1').setAudience('https://bench.example').setExpirationTime('1h').sign(privateKey)}`,
    };
  }
  if (variant === 'basicCached' || variant === 'basicUncached') {
    const users = memoryUsers([
      { id: 'u1', username: 'bench', passwordHash: await hashPassword('bench-password'), scopes: [], roles: [] },
    ]);
    return {
      guard: createGuard({
        schemes: [basicScheme({ users, ...(variant === 'basicUncached' ? { cache: false } : {}) })],
      }),
      authorization: `Basic ${Buffer.from('bench:bench-password').toString('base64')}`,
    };
  }
  return { guard: undefined, authorization: '' };
}
