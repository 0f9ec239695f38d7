/** /tokens/:kind: tokens that are expired, not valid yet, or valid, on demand. */
import { Hono } from 'hono';
import { problemResponse } from '../server/server-failure.ts';
import type { TokenService } from '../server/tokens/token-service.ts';
import { DEMO } from './seed.ts';

export function tokenRoutes(service: TokenService): Hono {
  const app = new Hono();
  // Tokens that are expired, or not valid yet, on demand: to see the refusals they get.
  app.get('/tokens/:kind', async (c) => {
    const now = Date.now();
    const kind = c.req.param('kind');
    const subject = { id: 'u-alice', roles: ['member'] };
    if (kind === 'expired')
      return c.json({
        access_token: await service.signAccessToken(subject, {
          clientId: DEMO.publicClient,
          scope: 'read',
          expiresAt: now - 60_000,
        }),
      });
    if (kind === 'not-yet-valid') {
      return c.json({
        access_token: await service.signAccessToken(subject, {
          clientId: DEMO.publicClient,
          scope: 'read',
          expiresAt: now + 7_200_000,
          notBefore: now + 3_600_000,
        }),
      });
    }
    if (kind === 'valid')
      return c.json({
        access_token: await service.signAccessToken(subject, {
          clientId: DEMO.publicClient,
          scope: 'read',
          expiresAt: now + 600_000,
        }),
      });
    return problemResponse('request_invalid', 'Use expired, not-yet-valid or valid.');
  });
  return app;
}
