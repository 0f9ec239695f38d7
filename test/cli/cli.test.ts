import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const main = join(import.meta.dirname, '../../src/cli/main.ts');

function gatehouse(...args: string[]) {
  const result = spawnSync(process.execPath, [main, ...args], {
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('gatehouse CLI', () => {
  it('prints its version', () => {
    const { code, stdout } = gatehouse('--version');
    assert.equal(code, 0);
    assert.match(stdout, /^\d+\.\d+\.\d+\n$/);
  });

  it('answers bad usage with exit 64 and the usage text on stderr', () => {
    for (const args of [['frobnicate'], ['demo', '--nope'], ['demo', 'extra'], []]) {
      const { code, stdout, stderr } = gatehouse(...args);
      assert.equal(code, 64, args.join(' '));
      assert.match(stdout + stderr, /Usage: gatehouse <command>/);
    }
  });

  it('runs the demo: every situation as documented, no colour when not a terminal', () => {
    const { code, stdout } = gatehouse('demo');
    assert.equal(code, 0);
    assert.match(stdout, /^\d+ passed, 0 failed$/m);
    assert.doesNotMatch(stdout, /\u001b\[/, 'no ANSI escapes on a pipe');
    assert.doesNotMatch(stdout, /not as documented/);
  });

  it('prints the demo as JSON for machines, with no secret in it', () => {
    const { code, stdout } = gatehouse('demo', '--json');
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as { situations: Array<{ holds: boolean; wire: string[] }>; failed: number };
    assert.equal(report.failed, 0);
    assert.ok(report.situations.length >= 8);
    assert.ok(report.situations.every((s) => s.holds));
    // The demo's token and the Basic pair appear only masked.
    assert.ok(!stdout.includes('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJl'));
    assert.ok(!stdout.includes('pässwörd'));
    assert.ok(!stdout.includes(Buffer.from('jürgen:pässwörd').toString('base64')));
  });
});
