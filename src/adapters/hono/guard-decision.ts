/** The guard's decision for a Hono request, shared by both Hono guards. */
import type { IncomingMessage } from 'node:http';
import type { Context, Next } from 'hono';
import type { MaybePromise } from '../../http/maybe-promise.ts';
import type { AuthenticateOptions, Decision, Guard } from '../../server/guard.ts';
import type { RequestView } from '../../server/scheme.ts';
import { authorizationLines, NO_LINES } from '../shared/node-authorization.ts';
import { clientAddressOf } from './client-address.ts';
import type { ProtectOptions } from './protect-options.ts';
import { TargetedRequest } from './targeted-request.ts';
import type { GatehouseEnv } from './variables.ts';
/** The arguments of one middleware (or handler) call, as actOn() hands them to a guard's actions. */
export interface MiddlewareCall {
  c: Context<GatehouseEnv>;
  next: Next;
}

/**
 * The guard's decision for a Hono request (a promise only where a step waited), on the Request
 * Hono's context holds: an earlier middleware may have set, replaced or removed its Authorization,
 * or replaced the Request, and the guard judges what the handler will see, in-process and on
 * @hono/node-server alike. (On @hono/node-server that Request reads Node's parsed headers until
 * someone changes them, so this costs no Web Request.)
 */
export function decideFor(guard: Guard, c: Context<GatehouseEnv>, options: ProtectOptions): MaybePromise<Decision> {
  const raw = c.req.raw;
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  // @hono/node-server's Request URL is parsed, dot segments resolved: the target as received is
  // Node's (signed requests compare it exactly), and the scheme the connection's.
  const request: RequestView =
    typeof incoming?.url === 'string' ? new TargetedRequest(raw, incoming as IncomingMessage & { url: string }) : raw;
  const field = raw.headers.get('authorization');
  // Node keeps only the first of repeated Authorization fields: while the Request still carries
  // the one the client sent, the raw lines tell whether there were more (answered 400).
  const authorization =
    field === null
      ? NO_LINES
      : field === incoming?.headers?.authorization && Array.isArray(incoming.rawHeaders)
        ? authorizationLines(incoming)
        : field;
  const opts: AuthenticateOptions = { authorization };
  if (options.permission) opts.permission = options.permission;
  const address = (options.clientAddress ?? clientAddressOf)(c);
  if (address) opts.clientAddress = address;
  return guard.decide(request, opts);
}
