/**
 * What runs in browsers as well as Node: the shared model (no Node-only API, no dependency), and
 * the client's core, outside its Node-only subpaths (the token stores, the undici transport).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
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

describe('the client core runs in browsers', () => {
  const dir = join(import.meta.dirname, '../../src/client');
  const nodeOnly = new Set([
    'file-store.ts',
    'token-file.ts',
    'dpop-key-file.ts', // reached only through gatehouse-http/client/file-store
    'lock-file.ts',
    'redis-store.ts',
    'undici-transport.ts',
    'undici-response.ts', // reached only through gatehouse-http/client/undici
    'loopback-login.ts',
  ]);
  const files = (function walk(d: string): string[] {
    return readdirSync(d).flatMap((name) =>
      statSync(join(d, name)).isDirectory() ? walk(join(d, name)) : name.endsWith('.ts') ? [join(d, name)] : [],
    );
  })(dir);

  it('has no Node-only import outside the Node-only subpaths (stores, the undici transport, the loopback login)', () => {
    assert.ok(files.length > 15);
    for (const file of files) {
      if (nodeOnly.has(file.split('/').pop()!)) continue;
      const source = readFileSync(file, 'utf8');
      assert.doesNotMatch(
        source,
        /from ['"]node:|from ['"](fs|path|crypto|http|https|net|os|util|child_process)['"]|\brequire\(|\bBuffer\b|\bprocess\./,
        file,
      );
    }
  });
});
