/**
 * The playground's demo accounts: published in the README and at GET /, never for production.
 * Planted only in a store the playground owns (in memory), or where --seed-demo asks for them.
 */
import { createHash } from 'node:crypto';
import { hashApiKey } from '../server/credentials/api-key.ts';
import { hashPassword } from '../server/credentials/password-hash.ts';
import type { GatehouseStore } from '../stores/types.ts';

export const DEMO = Object.freeze({
  users: [
    { username: 'alice', password: 'alice-password', scopes: ['read'], roles: ['member'] },
    { username: 'admin', password: 'admin-password', scopes: ['read', 'admin'], roles: ['admin'] },
  ],
  /**
   * A public client (a browser or CLI app) for the authorization-code grant with PKCE, refresh, and
   * the legacy password grant the FastAPI tutorial uses (which the playground keeps on for that).
   */
  publicClient: 'playground-app',
  /**
   * Its redirect URIs: loopback, any port (RFC 8252 §7.3), for `loopbackLogin` and a page served
   * from this machine.
   */
  redirectUris: ['http://127.0.0.1/callback', 'http://[::1]/callback'],
  /** A confidential client for client_credentials. */
  serviceClient: { id: 'playground-service', secret: 'playground-service-secret' },
  /** An API key, in the format createApiKey() makes. */
  apiKey: {
    key: `gh_demo00000001_${'playground-demo-key-'.padEnd(43, 'x')}`,
    id: 'demo00000001',
    principal: 'svc-demo',
  },
  /**
   * Every demo user's second factor on the sign-in form when a client asks for acr_values=mfa
   * (RFC 9470): one fixed, published code, so it proves nothing; a real server verifies a TOTP or
   * a passkey here.
   */
  oneTimeCode: '246810',
  /** The signing key of the signed requests in separate headers (X-API-Key / X-Signature). */
  signing: { keyId: 'test_key', secret: 'test_secret' },
});

/** What seed() plants, in one line, by name (the secrets are in the README, not repeated here). */
export function demoAccountsSummary(): string {
  const users = DEMO.users.map((u) => `${u.username} (${u.roles.join(' ')})`).join(' and ');
  return `users ${users}, public client ${DEMO.publicClient} (authorization code with PKCE to http://127.0.0.1:ANY/callback, legacy password grant; scopes read admin), confidential client ${DEMO.serviceClient.id}, API key ${DEMO.apiKey.id}`;
}

export async function seed(store: GatehouseStore): Promise<void> {
  for (const user of DEMO.users) {
    if (!(await store.users.findUserByName(user.username))) {
      await store.users.putUser({
        username: user.username,
        id: `u-${user.username}`,
        passwordHash: await hashPassword(user.password),
        scopes: user.scopes,
        roles: user.roles,
      });
    }
  }
  await store.clients.putClient({
    clientId: DEMO.publicClient,
    name: 'Playground app',
    grants: ['authorization_code', 'refresh_token', 'password'],
    redirectUris: [...DEMO.redirectUris],
    // role:admin lets its tokens carry the admin role (for /api/staff); ask scope=read for one without.
    scopes: ['read', 'admin', 'role:admin'],
  });
  await store.clients.putClient({
    clientId: DEMO.serviceClient.id,
    name: 'Playground service',
    secretHash: createHash('sha256').update(DEMO.serviceClient.secret).digest('hex'),
    grants: ['client_credentials'],
    scopes: ['read'],
  });
  await store.apiKeys.putApiKey({
    keyId: DEMO.apiKey.id,
    id: DEMO.apiKey.principal,
    hash: hashApiKey(DEMO.apiKey.key),
    scopes: ['read'],
    roles: [],
  });
}
