/**
 * A Web Storage (`localStorage`-like) over a Map, standing for one origin's storage shared by the
 * tab-shared token stores of a test; `map` shows what was written.
 */
import type { TokenStorage } from '../../src/client/index.ts';

export function mapStorage(): TokenStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  };
}
