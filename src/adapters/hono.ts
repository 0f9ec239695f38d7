/**
 * `gatehouse/hono`: Hono 4 middleware. Hono already speaks Web Request and Response; the
 * principal is `c.get('auth')`.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { Guard } from '../server/guard.ts';
import type { Permission } from '../server/permissions.ts';
import type { Principal } from '../server/principal.ts';

export type GatehouseVariables = { auth: Principal | undefined };

export function honoGuard(
  guard: Guard,
  options: { permission?: Permission } = {},
): MiddlewareHandler<{ Variables: GatehouseVariables }> {
  return async (c, next) => {
    const decision = await guard.authenticate(c.req.raw, options.permission ? { permission: options.permission } : {});
    if (decision.outcome === 'refused') return guard.refuse(decision.refusal);
    c.set('auth', decision.outcome === 'authenticated' ? decision.principal : undefined);
    await next();
    return undefined;
  };
}

/** Mounts a fetch-style handler (the authorization server's): `app.use(fetchHandler(server.handle))`. */
export function fetchHandler(
  handler: (request: Request, info: { ip?: string }) => Promise<Response | undefined>,
  options: { ip?: (c: Context) => string | undefined } = {},
): MiddlewareHandler {
  return async (c, next) => {
    const ip = options.ip
      ? options.ip(c)
      : (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
    const response = await handler(c.req.raw, ip ? { ip } : {});
    if (response) return response;
    await next();
    return undefined;
  };
}
