/** The guard and the requests that the four server examples share. */
import { SignJWT } from 'jose';
import { basicScheme, bearerScheme, createGuard, hashPassword, memoryUsers } from '../../src/server/index.ts';

export const JWT_SECRET = 'example-hs256-secret-at-least-32-bytes';

export async function exampleGuard() {
  const users = memoryUsers([
    {
      id: 'u-alice',
      username: 'alice',
      passwordHash: await hashPassword('wonderland'),
      scopes: ['read'],
      roles: ['member'],
    },
  ]);
  return createGuard({
    realm: 'example',
    schemes: [
      bearerScheme({ jwt: { key: JWT_SECRET, algorithms: ['HS256'], issuer: 'https://issuer.example' } }),
      basicScheme({ users }),
    ],
  });
}

const token = (claims: Record<string, unknown>, exp: number | string) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('u-bob')
    .setIssuer('https://issuer.example')
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(JWT_SECRET));

/** Sends the situations a client meets and prints each answer as it went over the wire. */
export async function tour(baseUrl: string): Promise<void> {
  const basic = (password: string) => `Basic ${Buffer.from(`alice:${password}`).toString('base64')}`;
  const cases: Array<[string, string, Record<string, string>]> = [
    ['no credentials', '/me', {}],
    ['malformed', '/me', { authorization: 'Bearer' }],
    ['wrong password', '/me', { authorization: basic('looking-glass') }],
    [
      'expired token',
      '/me',
      { authorization: `Bearer ${await token({ scope: 'read' }, Math.floor(Date.now() / 1000) - 60)}` },
    ],
    ['missing scope', '/admin', { authorization: `Bearer ${await token({ scope: 'read' }, '5m')}` }],
    ['right password', '/me', { authorization: basic('wonderland') }],
  ];
  for (const [what, path, headers] of cases) {
    const response = await fetch(baseUrl + path, { headers });
    console.log(`# ${what}: GET ${path}`);
    console.log(`HTTP ${response.status}`);
    const challenge = response.headers.get('www-authenticate');
    if (challenge) console.log(`WWW-Authenticate: ${challenge}`);
    console.log(`${await response.text()}\n`);
  }
}
