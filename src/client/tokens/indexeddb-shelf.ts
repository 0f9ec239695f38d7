/**
 * Where tabSharedTokenStore() keeps tokens under Web Locks: IndexedDB, because it is the browser
 * storage whose reads are ordered with writes across tabs. localStorage is not: Chromium keeps a
 * copy of it in each renderer process and hands another tab's writes on asynchronously, so a tab
 * granted the lock just after another released it can still read the token from before that
 * tab's refresh and spend its rotated refresh token a second time (which, with no grace window,
 * revokes the family). A read-only transaction can start only once every read/write transaction
 * created before it with an overlapping scope has finished (Indexed Database API 3.0, §2.7.2
 * "Transaction scheduling"); a write here resolves only when its transaction has completed, so a
 * tab that writes before it releases the lock hands the next holder the new token.
 */
import { GatehouseError } from '../../http/gatehouse-error.ts';

/** IndexedDB could not be opened or used (a browser setting, private mode, a full disk). */
export class TokenStorageError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_TOKEN_STORAGE';
  constructor(message: string, cause?: unknown) {
    super(message, TokenStorageError.code, { cause });
  }
}

/** Async, string-valued storage of one database. */
export interface TokenShelf {
  read(key: string): Promise<string | undefined>;
  write(key: string, value: string | undefined): Promise<void>;
}

/*
 * The part of IndexedDB the shelf uses, declared by shape (as stores/handles.ts declares the
 * optional peers' handles): a browser's `indexedDB` is an IndexedDbFactory, and no declaration of
 * the package names a DOM type, so a Node project without the DOM lib compiles it.
 */
type Handler = ((event: never) => unknown) | null;

/** An IDBRequest: its result once it succeeded, its error once it failed. */
interface ShelfRequest<T> {
  readonly result: T;
  readonly error: unknown;
  onsuccess: Handler;
  onerror: Handler;
}

/** An IDBObjectStore of string values. */
interface ShelfObjectStore {
  get(key: string): ShelfRequest<unknown>;
  put(value: string, key: string): ShelfRequest<unknown>;
  delete(key: string): ShelfRequest<unknown>;
}

/** An IDBTransaction, settled by `complete` or `abort`. */
interface ShelfTransaction {
  readonly error: unknown;
  objectStore(name: string): ShelfObjectStore;
  oncomplete: Handler;
  onabort: Handler;
}

/** An IDBDatabase. */
interface ShelfDatabase {
  createObjectStore(name: string): unknown;
  transaction(storeName: string, mode: 'readonly' | 'readwrite'): ShelfTransaction;
  close(): void;
  onversionchange: Handler;
}

/** An IDBOpenDBRequest. */
interface ShelfOpenRequest extends ShelfRequest<ShelfDatabase> {
  onupgradeneeded: Handler;
  onblocked: Handler;
}

/** What the shelf needs of a browser's `indexedDB` (an IDBFactory). */
export interface IndexedDbFactory {
  open(name: string, version: number): ShelfOpenRequest;
}

const STORE = 'tokens';

/** A shelf in the IndexedDB database `name` (one object store, created at version 1). */
export function indexedDbShelf(factory: IndexedDbFactory, name: string): TokenShelf {
  let opened: Promise<ShelfDatabase> | undefined;
  const open = () =>
    (opened ??= new Promise<ShelfDatabase>((resolve, reject) => {
      const request = factory.open(name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => {
        const db = request.result;
        // Another tab deleting or upgrading the database: let it, and open afresh next time.
        db.onversionchange = () => {
          db.close();
          opened = undefined;
        };
        resolve(db);
      };
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new DOMException('another tab holds an older version open', 'BlockedError'));
    }).catch((error: unknown) => {
      opened = undefined; // asked again next time
      throw new TokenStorageError(
        `IndexedDB database "${name}" could not be opened; allow site storage, or give tabSharedTokenStore a storage (or null)`,
        error,
      );
    }));

  async function run<T>(
    mode: 'readonly' | 'readwrite',
    use: (store: ShelfObjectStore) => ShelfRequest<unknown>,
  ): Promise<T> {
    const db = await open();
    return new Promise<T>((resolve, reject) => {
      let transaction: ShelfTransaction;
      try {
        transaction = db.transaction(STORE, mode);
      } catch (error) {
        opened = undefined; // a connection closed under us (versionchange): the next call reopens
        reject(new TokenStorageError(`IndexedDB database "${name}" is closed; try again`, error));
        return;
      }
      const request = use(transaction.objectStore(STORE));
      // Settled on `complete`, not on the request's success: only then is a write visible to every tab.
      transaction.oncomplete = () => resolve(request.result as T);
      transaction.onabort = () =>
        reject(new TokenStorageError(`IndexedDB refused a ${mode} of the tokens`, transaction.error));
    });
  }

  return {
    read: (key) => run<string | undefined>('readonly', (store) => store.get(key)),
    async write(key, value) {
      await run('readwrite', (store) => (value === undefined ? store.delete(key) : store.put(value, key)));
    },
  };
}
