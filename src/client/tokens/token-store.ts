import type { Token } from './token.ts';

/**
 * Where tokens are kept between calls and processes. `memoryTokenStore()` here; a file store
 * (`gatehouse-http/client/file-store`) and a Redis store (`gatehouse-http/client/redis-store`) for Node.
 */
export interface TokenStore {
  get(key: string): Promise<Token | undefined>;
  set(key: string, token: Token): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Runs `fn` holding a lock that every process sharing the store respects, so a fleet makes
   * one refresh. Stores that live in one process need none.
   */
  lock?<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Calls `onChange` when another holder of the store (another tab) sets or deletes the token,
   * so a token source takes it without asking; returns the function that stops watching.
   */
  watch?(key: string, onChange: (token: Token | undefined) => void): () => void;
}

/** Tokens in this process's memory. */
export function memoryTokenStore(): TokenStore {
  const tokens = new Map<string, Token>();
  return {
    get: async (key) => {
      const token = tokens.get(key);
      return token && { ...token };
    },
    set: async (key, token) => {
      tokens.set(key, { ...token });
    },
    delete: async (key) => {
      tokens.delete(key);
    },
  };
}
