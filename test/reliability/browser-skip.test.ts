/**
 * The browser tests without a browser: locally they are skipped through the test runner, so its
 * summary counts them (a "SKIPPED" line on stderr alone left the summary at 0 skipped); with
 * CI=true a missing browser fails, so CI never passes by skipping.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const BROWSER_TEST = join(import.meta.dirname, 'browser.test.ts');

/** The browser test file run by its own test runner, with the browser looked for where none is. */
function runWithoutBrowser(env: Record<string, string>) {
  // NODE_TEST_CONTEXT would make the child report to this runner instead of printing its summary.
  const { CI: _ci, NODE_TEST_CONTEXT: _context, ...rest } = process.env;
  const result = spawnSync(process.execPath, ['--test', '--test-reporter=tap', BROWSER_TEST], {
    encoding: 'utf8',
    env: { ...rest, GATEHOUSE_TEST_CHROMIUM: '/nonexistent/chromium', ...env },
    timeout: 60_000,
  });
  const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(result.stdout)?.[1]);
  return {
    code: result.status,
    skipped: count('skipped'),
    // A failed `before` cancels the tests it serves: a failure too, for the exit code.
    failed: count('fail') + count('cancelled'),
    pass: count('pass'),
    // The runner passes a test file's stderr on as diagnostics on its own stdout.
    output: result.stdout + result.stderr,
  };
}

describe('the browser test without Chromium', () => {
  it('locally: every test of it counted as skipped by the runner, none failed, exit 0', () => {
    const run = runWithoutBrowser({});
    assert.equal(run.code, 0, run.output);
    assert.ok(run.skipped >= 1, `skipped ${run.skipped}`);
    assert.equal(run.failed, 0);
    assert.equal(run.pass, 0);
    assert.match(run.output, /SKIPPED: .*\/nonexistent\/chromium/, 'and said loudly');
  });

  it('with CI=true: a failure, not a skip', () => {
    const run = runWithoutBrowser({ CI: 'true' });
    assert.notEqual(run.code, 0);
    assert.ok(run.failed >= 1, `failed ${run.failed}`);
    assert.equal(run.skipped, 0);
  });
});
