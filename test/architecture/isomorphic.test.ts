/** The shared model runs in browsers as well as Node: no Node-only API, no dependency. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const dir = join(import.meta.dirname, '../../src/http');
const files = readdirSync(dir).filter((name) => name.endsWith('.ts'));

describe('src/http is isomorphic', () => {
  it('has files to check', () => assert.ok(files.length >= 10));

  for (const name of files) {
    it(`${name} imports only its siblings and uses no Node-only global`, () => {
      const source = readFileSync(join(dir, name), 'utf8');
      const specifiers = [...source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map(
        (m) => m[1],
      );
      for (const specifier of specifiers) assert.match(specifier!, /^\.\/[\w-]+\.ts$/, `${name} imports ${specifier}`);
      assert.doesNotMatch(
        source,
        /\b(?:Buffer|process|require|__dirname|setImmediate)\b/,
        `${name} uses a Node-only global`,
      );
      assert.doesNotMatch(source, /\bimport\s*\(/, `${name} imports dynamically`);
    });
  }
});
