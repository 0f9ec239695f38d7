import { GatehouseError } from '../http/gatehouse-error.ts';

/**
 * An optional peer dependency that a store or Redis URL needs (pg for `postgres://`, ioredis for
 * `redis://`) is not installed in the project. They are loaded only when a URL asks for them, so
 * that a project without them uses everything else; the message names the package to install.
 */
export class MissingPeerError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_MISSING_PEER';
  /** The package to install (`pg`, `ioredis`). */
  readonly packageName: string;

  /** @param neededFor what needs it, as a message starts: `a postgres:// store` */
  constructor(packageName: string, neededFor: string, cause: unknown) {
    super(
      `${neededFor} needs the package ${packageName}, an optional peer dependency that is not installed: npm install ${packageName}`,
      MissingPeerError.code,
      { cause },
    );
    this.packageName = packageName;
  }
}

/** Runs `load`, a dynamic import that reaches `packageName`; Node's "Cannot find package" for it becomes a MissingPeerError. */
export async function importPeer<T>(packageName: string, neededFor: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if (code === 'ERR_MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${packageName}'`))
      throw new MissingPeerError(packageName, neededFor, error);
    throw error;
  }
}
