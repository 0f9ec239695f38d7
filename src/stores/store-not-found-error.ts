import { GatehouseError } from '../http/gatehouse-error.ts';

/**
 * A store opened with `create: false` that is not there: a SQLite file that does not exist, a
 * Postgres schema without Gatehouse's tables. Reading from it would otherwise create an empty
 * store and find nothing, so that a typo in the path looks like an empty store.
 */
export class StoreNotFoundError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_STORE_NOT_FOUND';
  declare readonly code: typeof StoreNotFoundError.code;
  /** The store's URL as given, without a password. */
  readonly url: string;
  /** What is missing, in a few words: `the file does not exist`. */
  readonly detail: string;
  constructor(url: string, detail: string) {
    super(`no store at ${url} (${detail})`, StoreNotFoundError.code);
    this.url = url;
    this.detail = detail;
  }
}
