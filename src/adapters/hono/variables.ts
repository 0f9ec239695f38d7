/** What the Hono adapter keeps on a request's context. */
import type { Principal } from '../../server/principal.ts';

/** `auth` is set, to a principal, on every request the guard lets through; undefined where no guard ran. */
export type GatehouseVariables = { auth: Principal | undefined };

/**
 * The Hono environment of a guarded app: its variables, so that `c.get('auth')` is a Principal.
 * @example
 * const app = new Hono<GatehouseEnv>();
 * app.get('/me', protect(guard), (c) => c.json({ id: c.get('auth')?.id }));
 */
export type GatehouseEnv = { Variables: GatehouseVariables };
