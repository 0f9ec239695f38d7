/** Who is asking, as far as a Hono context can tell. */
import type { Context } from 'hono';

/**
 * The client's address on @hono/node-server (its socket's, as its `getConnInfo` reads it); undefined
 * elsewhere. How another runtime says who is asking is its own (`getConnInfo` from `hono/bun`,
 * `hono/deno`, …), so there the app passes a `clientAddress(c)` option; so does an app behind a
 * reverse proxy, reading the header that proxy sets. Without an address, login protection counts
 * per username alone (see createLoginProtection).
 */
export function clientAddressOf(c: Context): string | undefined {
  type Bindings = { incoming?: { socket?: { remoteAddress?: string } } };
  const env = c.env as (Bindings & { server?: Bindings }) | undefined;
  return (env?.server ?? env)?.incoming?.socket?.remoteAddress;
}
