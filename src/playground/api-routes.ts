/**
 * The playground's guarded API: /api/me, /api/admin and /api/staff accept any scheme (Bearer,
 * Basic, API key, signed request) and answer with who the request authenticated as; /api/step-up
 * also needs a sign-in with the second factor in the last 5 minutes; /api/signed accepts only a
 * signed request.
 */
import { type Context, Hono } from 'hono';
import { type GatehouseVariables, protect } from '../adapters/hono/index.ts';
import { createGuard, type Guard } from '../server/guard.ts';
import type { LoginProtection } from '../server/login-protection.ts';
import { requireAuthLevel, requireRoles, requireScopes } from '../server/permissions.ts';
import type { ProtectedResourceMetadata } from '../server/protected-resource.ts';
import { apiKeyScheme } from '../server/schemes/api-key.ts';
import { basicScheme } from '../server/schemes/basic.ts';
import { signatureScheme } from '../server/schemes/signature.ts';
import type { OnError } from '../server/server-failure.ts';
import type { TokenService } from '../server/tokens/token-service.ts';
import { memorySigningKeys } from '../stores/memory.ts';
import type { GatehouseStore } from '../stores/types.ts';
import { DEMO } from './seed.ts';

export const principal = (c: Context<{ Variables: GatehouseVariables }>) => {
  const auth = c.get('auth');
  return c.json({
    authenticated: true,
    id: auth?.id,
    scheme: auth?.scheme,
    scopes: auth?.scopes,
    roles: auth?.roles,
  });
};

export function apiRoutes(options: {
  store: GatehouseStore;
  service: TokenService;
  loginProtection: LoginProtection;
  onError: OnError | undefined;
  /** The API's protected resource metadata, named in its Bearer challenges (RFC 9728 §5.1). */
  resourceMetadata: ProtectedResourceMetadata;
}): Hono<{ Variables: GatehouseVariables }> {
  const { store, service, loginProtection, onError, resourceMetadata } = options;
  const signatures = signatureScheme({
    keys: memorySigningKeys([
      { keyId: DEMO.signing.keyId, secret: DEMO.signing.secret, id: 'demo-signer', scopes: ['read'] },
    ]),
    layout: 'headers',
    nonces: store.nonces,
  });
  const anyScheme: Guard = createGuard({
    realm: 'playground',
    schemes: [
      service.bearerScheme(),
      basicScheme({ users: store.users, loginProtection }),
      apiKeyScheme({ header: 'X-API-Key', keys: store.apiKeys }),
      signatures,
    ],
    resourceMetadata,
    ...(onError ? { onError } : {}),
  });
  const signedOnly = createGuard({ realm: 'playground', schemes: [signatures], ...(onError ? { onError } : {}) });

  const app = new Hono<{ Variables: GatehouseVariables }>();
  app.all('/api/me', protect(anyScheme), principal);
  app.all('/api/admin', protect(anyScheme, { permission: requireScopes('admin') }), principal);
  app.all('/api/staff', protect(anyScheme, { permission: requireRoles('admin') }), principal);
  // RFC 9470: a sign-in with the second factor (acr mfa) no older than 5 minutes.
  app.all('/api/step-up', protect(anyScheme, { permission: requireAuthLevel({ acr: 'mfa', maxAge: 300 }) }), principal);
  app.all('/api/signed', protect(signedOnly), async (c) =>
    c.json({ verified: true, id: c.get('auth')?.id, body: await c.req.text() }),
  );
  return app;
}
