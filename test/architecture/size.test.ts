/**
 * Every file of src/ can be read in one sitting and every function held in mind at once
 * (ARCHITECTURE.md, "Size"): no file over 300 lines, no function over 80.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const MAX_FILE_LINES = 300;

describe('size of src/', () => {
  it(`no file is over ${MAX_FILE_LINES} lines`, () => {
    const long = readdirSync(join(ROOT, 'src'), { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
      .map((entry) => join(entry.parentPath, entry.name))
      .map((file) => ({ file: relative(ROOT, file), lines: readFileSync(file, 'utf8').trimEnd().split('\n').length }))
      .filter(({ lines }) => lines > MAX_FILE_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    assert.deepEqual(long, []);
  });

  it('scripts/long-functions.ts finds a long function, and none in src/', () => {
    const measure = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'scripts/long-functions.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
    // With a limit every real function exceeds, it must report them: the measure is not blind.
    const strict = measure('--max=3', 'src/http');
    assert.equal(strict.status, 1, strict.stderr);
    assert.match(strict.stdout, /src\/http\/[\w-]+\.ts:\d+ {2}\w+/);
    const actual = measure();
    assert.equal(actual.stdout, '', 'functions over 80 lines');
    assert.equal(actual.status, 0, actual.stderr);
  });
});
