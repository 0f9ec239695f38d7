/** The options of the Hono guards. */
import type { Context } from 'hono';
import type { Permission } from '../../server/permissions.ts';

/** Options of protect and protectHandler. */
export interface ProtectOptions {
  permission?: Permission;
  /**
   * The client's address, for login protection. @default clientAddressOf (the socket's on @hono/node-server)
   * @example import { getConnInfo } from 'hono/bun'; protect(guard, { clientAddress: (c) => getConnInfo(c).remote.address })
   */
  clientAddress?: (c: Context) => string | undefined;
}
