/** What the Hono adapter keeps on a request's context. */
import type { Principal } from '../../server/principal.ts';

/** `auth` is set, to a principal, on every request the guard lets through; undefined where no guard ran. */
export type GatehouseVariables = { auth: Principal | undefined };

/** The Hono environment of a guarded app: its variables. */
export type GatehouseEnv = { Variables: GatehouseVariables };
