/**
 * test/ mirrors src/ (ARCHITECTURE.md, "Tests"), so a test is found by the name of what it tests:
 * under a mirrored folder, test/A/B/X.test.ts tests src/A/B/X.ts, or the folder src/A/B/X/ as a
 * whole (the test of client/redirect.ts is test/client/redirect.test.ts), and a folder of src gets
 * a folder of tests. Suites that cut across the faces keep folders of their own; helpers live in
 * test/support, fixtures in test/fixtures; test/examples.test.ts runs the examples.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');

/** The folders of test/ held to the mirror rule, file by file. */
const MIRRORED = ['http', 'client', 'server', 'stores', 'adapters', 'playground', 'doctor', 'cli'] as const;

/** What else test/ may hold beside the folders named after a folder of src/. */
const CROSS_CUTTING = [
  'architecture',
  'package',
  'security',
  'reliability',
  'interop',
  'support',
  'fixtures',
  'examples.test.ts',
];

/** Every file and folder below `dir`, as paths relative to it with `/` between segments. */
function entriesBelow(dir: string): Array<{ path: string; folder: boolean }> {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).map((entry) => ({
    path: relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'),
    folder: entry.isDirectory(),
  }));
}

/**
 * Every file under a mirrored folder that breaks the rule, with why. `tests` are paths below
 * test/ (`client/redirect.test.ts`); `src` holds the paths below src/ of its files and folders.
 */
function misnamed(tests: readonly string[], src: ReadonlySet<string>): string[] {
  const broken: string[] = [];
  for (const path of tests) {
    if (!MIRRORED.some((folder) => path.startsWith(`${folder}/`))) continue;
    if (!path.endsWith('.test.ts')) {
      broken.push(`test/${path}: not a test (helpers live in test/support, fixtures in test/fixtures)`);
      continue;
    }
    const stem = path.slice(0, -'.test.ts'.length);
    if (!src.has(`${stem}.ts`) && !src.has(`${stem}/`))
      broken.push(`test/${path}: names neither src/${stem}.ts nor the folder src/${stem}/`);
  }
  return broken;
}

/** The entries of test/ itself that are neither a folder named after one of src/ nor a cross-cutting suite's. */
function stray(entries: readonly string[], srcFolders: readonly string[]): string[] {
  return entries.filter((entry) => !srcFolders.includes(entry) && !CROSS_CUTTING.includes(entry));
}

const srcEntries = entriesBelow(join(ROOT, 'src'));
const src = new Set(srcEntries.map(({ path, folder }) => (folder ? `${path}/` : path)));
const tests = entriesBelow(join(ROOT, 'test'))
  .filter(({ folder }) => !folder)
  .map(({ path }) => path);

describe('layout of test/', () => {
  it('catches a test file that names no src file or folder, and a helper among the tests', () => {
    const sample = new Set(['client/redirect.ts', 'client/auth/', 'client/auth/basic.ts', 'stores/memory.ts']);
    assert.deepEqual(
      misnamed(
        [
          'client/redirect.test.ts',
          'client/auth/basic.test.ts',
          'client/auth.test.ts',
          'stores/memory.test.ts',
          'client/bodies-redirects-cookies.test.ts',
          'client/auth/digest.test.ts',
          'client/redirect/redirect.test.ts',
          'stores/store-behaviour.ts',
          'security/leaks.test.ts',
          'support/server.ts',
        ],
        sample,
      ),
      [
        'test/client/bodies-redirects-cookies.test.ts: names neither src/client/bodies-redirects-cookies.ts nor the folder src/client/bodies-redirects-cookies/',
        'test/client/auth/digest.test.ts: names neither src/client/auth/digest.ts nor the folder src/client/auth/digest/',
        'test/client/redirect/redirect.test.ts: names neither src/client/redirect/redirect.ts nor the folder src/client/redirect/redirect/',
        'test/stores/store-behaviour.ts: not a test (helpers live in test/support, fixtures in test/fixtures)',
      ],
    );
  });

  it('catches a folder of test/ that is neither a face of src/ nor a cross-cutting suite', () => {
    assert.deepEqual(
      stray(['client', 'security', 'support', 'examples.test.ts', 'themes', 'misc.test.ts'], ['client', 'http']),
      ['themes', 'misc.test.ts'],
    );
  });

  it('finds the files of src/ and test/ (the scan is not blind)', () => {
    assert.ok(src.has('client/redirect.ts') && src.has('client/auth/'));
    assert.ok(tests.includes('client/redirect.test.ts'));
    for (const folder of MIRRORED) assert.ok(src.has(`${folder}/`), `src/${folder}/ exists`);
  });

  it(`every file under test/${MIRRORED.join(', test/')} tests the src file or folder it is named after`, () => {
    assert.deepEqual(misnamed(tests, src), []);
  });

  it('test/ holds only folders named after a folder of src/, cross-cutting suites, support and fixtures', () => {
    const top = readdirSync(join(ROOT, 'test'));
    const srcFolders = srcEntries.filter(({ path, folder }) => folder && !path.includes('/')).map(({ path }) => path);
    assert.deepEqual(stray(top, srcFolders), []);
  });
});
