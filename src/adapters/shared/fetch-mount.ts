/** What every adapter's mount of a fetch-style handler shares: the handler's shape and its options. */
import { DEFAULT_MAX_BODY_BYTES } from '../../server/request-limits.ts';
import type { OnError } from '../../server/server-failure.ts';

/**
 * A fetch-style handler (such as the authorization server's); undefined answers 404. One that
 * declares `maxBodyBytes` reads no more of a body than that, and the mounts hold no more for it.
 */
export type FetchHandler = ((request: Request, info: { ip?: string }) => Promise<Response | undefined>) & {
  readonly maxBodyBytes?: number;
};

/**
 * How much of a body a mount reads for its handler: the smaller of the mount's limit (1 MiB by
 * default) and the handler's own, so a body the handler would refuse is refused while it streams.
 */
export function mountBodyLimit(handler: FetchHandler, options: FetchMountOptions): number {
  return Math.min(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, handler.maxBodyBytes ?? Number.POSITIVE_INFINITY);
}

/** Options of every adapter's mountFetch (node:http, Express, Fastify; Hono's takes its own). */
export interface FetchMountOptions {
  /** The largest body read for the handler; larger is 413 body_too_large. @default 1_048_576 */
  maxBodyBytes?: number;
  /** Sees a failure of the handler, answered 500 internal_error or 503 store_unavailable. @default one line on stderr */
  onError?: OnError;
}
