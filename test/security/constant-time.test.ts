/**
 * Timing attacks: no file of src/server compares a secret with === or Buffer.equals, so every
 * secret goes through crypto.timingSafeEqual (a static check of the source, no socket).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

describe('comparisons of secrets are constant-time', () => {
  it('no server file compares a secret with === or Buffer.equals', () => {
    const dir = join(import.meta.dirname, '../../src/server');
    const files = (function walk(d: string): string[] {
      return readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
    })(dir);
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      assert.doesNotMatch(
        source,
        /(signature|secret|hash|password|token|mac)\w*\s*===\s*\w*(signature|secret|hash|password|token|mac|expected)/i,
        file,
      );
      assert.doesNotMatch(source, /\.equals\(/, file);
    }
  });
});
