/** One guard with every scheme, the users, keys and tokens the server tests share. */
import { SignJWT } from 'jose';
import {
  apiKeyScheme,
  basicScheme,
  bearerScheme,
  createApiKey,
  createGuard,
  type Guard,
  type GuardOptions,
  hashPassword,
  issueSession,
  memoryApiKeys,
  memorySessions,
  memorySigningKeys,
  memoryUsers,
  type Scheme,
  sessionScheme,
  signatureScheme,
} from '../../src/server/index.ts';

export const JWT_SECRET = 'test-hs256-secret-of-at-least-32-bytes!';
export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'https://api.test';
export const SESSION_SECRET = 'session-secret-of-at-least-32-bytes-long';
export const SIGNING_SECRET = 'signing-secret-0123456789';

export async function jwt(
  claims: Record<string, unknown> = {},
  options: {
    secret?: string;
    alg?: string;
    expiresIn?: string | number;
    issuer?: string;
    audience?: string;
    notBefore?: number;
  } = {},
): Promise<string> {
  let builder = new SignJWT({ scope: 'read', ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setSubject(String(claims['sub'] ?? 'user-1'))
    .setIssuedAt()
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setExpirationTime(options.expiresIn ?? '10m');
  if (options.notBefore !== undefined) builder = builder.setNotBefore(options.notBefore);
  return builder.sign(new TextEncoder().encode(options.secret ?? JWT_SECRET));
}

export interface Fixture {
  users: ReturnType<typeof memoryUsers>;
  keys: ReturnType<typeof memoryApiKeys>;
  apiKey: string;
  expiredApiKey: string;
  sessionCookie: string;
  csrfToken: string;
  revoked: Set<string>;
  schemes: {
    basic: ReturnType<typeof basicScheme>;
    bearer: Scheme<unknown>;
    apiKey: Scheme<unknown>;
    session: Scheme<unknown>;
    signature: Scheme<unknown>;
  };
  guard(
    schemes: Array<keyof Fixture['schemes']>,
    options?: Omit<GuardOptions, 'schemes'>,
  ): ReturnType<typeof createGuard>;
}

export async function fixture(): Promise<Fixture> {
  const users = memoryUsers([
    {
      id: 'u-alice',
      username: 'alice',
      passwordHash: await hashPassword('alice-password-1'),
      scopes: ['read'],
      roles: ['member'],
    },
    {
      id: 'u-admin',
      username: 'admin',
      passwordHash: await hashPassword('admin-password-1'),
      scopes: ['read', 'admin'],
      roles: ['admin'],
    },
  ]);
  const live = createApiKey();
  const expired = createApiKey();
  const keys = memoryApiKeys([
    { id: 'svc-reports', keyId: live.id, hash: live.hash, scopes: ['read'] },
    { id: 'svc-old', keyId: expired.id, hash: expired.hash, expiresAt: Date.now() - 1000 },
  ]);
  const sessions = memorySessions({ 'session-id-0123456789': { id: 'u-alice', scopes: ['read'], roles: ['member'] } });
  const issued = issueSession('session-id-0123456789', { secret: SESSION_SECRET });
  const revoked = new Set<string>();
  const schemes = {
    basic: basicScheme({ users }),
    bearer: bearerScheme({
      jwt: {
        key: JWT_SECRET,
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        isRevoked: (p) => revoked.has(String(p.jti)),
      },
    }),
    apiKey: apiKeyScheme({ header: 'X-API-Key', keys }),
    session: sessionScheme({ secret: SESSION_SECRET, sessions }),
    signature: signatureScheme({
      keys: memorySigningKeys([{ id: 'svc-signer', keyId: 'key-1', secret: SIGNING_SECRET, scopes: ['read'] }]),
      layout: 'headers',
    }),
  };
  return {
    users,
    keys,
    apiKey: live.key,
    expiredApiKey: expired.key,
    sessionCookie: issued.setCookie.split(';')[0]!,
    csrfToken: issued.csrfToken,
    revoked,
    schemes,
    guard: (names, options = {}) => createGuard({ ...options, schemes: names.map((n) => schemes[n]) }),
  };
}

export const basicHeader = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** What a guard answered: the status, challenge, content type and body of its refusal, or the principal. */
export interface Answer {
  status: number;
  challenge: string | null;
  type: string | null;
  body: Record<string, unknown>;
  principal?: string;
}

/** Asks `g` to authenticate a request and answers as an adapter would: the refusal rendered, or the principal. */
export async function ask(
  g: Guard,
  headers: Record<string, string> | Array<[string, string]> = {},
  options: Parameters<Guard['authenticate']>[1] & { method?: string; url?: string } = {},
): Promise<Answer> {
  const { method = 'GET', url = 'http://api.test/things', ...rest } = options;
  const decision = await g.authenticate(new Request(url, { method, headers }), rest);
  if (decision.outcome === 'authenticated')
    return { status: 200, challenge: null, type: null, body: {}, principal: decision.principal.id };
  if (decision.outcome === 'preflight') return { status: 204, challenge: null, type: null, body: {} };
  const response = g.refusalResponse(decision.refusal);
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    type: response.headers.get('content-type'),
    body: await response.json(),
  };
}

/** The challenges of `fixture().guard(['bearer', 'basic', 'apiKey'])`, in that order. */
export const ALL_CHALLENGES =
  'Bearer realm="api", Basic realm="api", charset="UTF-8", ApiKey realm="api", header="X-API-Key"';
