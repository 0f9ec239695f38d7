import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEMO } from '../../src/playground/seed.ts';
import { gatehouseSync } from '../support/cli.ts';

const main = join(import.meta.dirname, '../../src/cli/main.ts');

const gatehouse = (...args: string[]) => gatehouseSync(args, { env: { FORCE_COLOR: '1' }, timeoutMs: 60_000 });

describe('gatehouse CLI', () => {
  it('prints its version and its usage', () => {
    const { code, stdout } = gatehouse('--version');
    assert.equal(code, 0);
    assert.match(stdout, /^\d+\.\d+\.\d+\n$/);
    assert.match(gatehouse('help').stdout, /gatehouse serve \[--port 0\]/);
  });

  it('answers bad usage with exit 64 and the usage text on stderr', () => {
    for (const args of [['frobnicate'], ['demo', '--nope'], ['demo', 'extra'], [], ['serve', '--port', 'eighty']]) {
      const { code, stderr } = gatehouse(...args);
      assert.equal(code, 64, args.join(' '));
      assert.match(stderr, /Usage: gatehouse <command>/);
    }
  });

  it('runs the demo: every scenario as documented, in under 30 s, no colour when not a terminal', () => {
    const started = Date.now();
    const { code, stdout } = gatehouse('demo');
    assert.equal(code, 0, stdout);
    assert.ok(Date.now() - started < 30_000);
    assert.match(stdout, /^demo: 13 passed, 0 failed \(\d+\.\d s\)$/m);
    assert.doesNotMatch(stdout, /\u001b\[/, 'no ANSI escapes on a pipe');
    for (const title of [
      'Basic auth with a wrong password',
      'Refresh on 401',
      'Retry with exponential backoff',
      'A signed request',
      '429 with Retry-After',
      'Locked out',
      'Refresh-token reuse',
    ]) {
      assert.ok(stdout.includes(title), title);
    }
  });

  it('prints the demo as JSON for machines, with no secret in it', () => {
    const { code, stdout } = gatehouse('demo', '--json');
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as { scenarios: Array<{ holds: boolean; exchanges: unknown[] }>; failed: number };
    assert.equal(report.failed, 0);
    assert.equal(report.scenarios.length, 13);
    assert.ok(report.scenarios.every((s) => s.holds && s.exchanges.length > 0));
    for (const secret of [
      DEMO.serviceClient.secret,
      DEMO.signing.secret,
      'alice-password',
      'admin-password',
      'demo-static-token-0123456789',
      Buffer.from('user:passwd').toString('base64'),
    ]) {
      assert.ok(!stdout.includes(secret), secret);
    }
    assert.doesNotMatch(stdout, /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, 'no whole JWT');
  });

  it('serve prints its address first, serves, and closes cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [main, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const firstLine = await new Promise<string>((resolve) => {
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
    });
    assert.match(firstLine, /^gatehouse playground listening on http:\/\/127\.0\.0\.1:\d+$/);
    const url = firstLine.split(' ').at(-1)!;
    assert.deepStrictEqual(
      await (
        await fetch(`${url}/basic-auth/user/passwd`, { headers: { authorization: `Basic ${btoa('user:passwd')}` } })
      ).json(),
      { authenticated: true, user: 'user' },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(out, /gatehouse playground closed\n$/);
  });
});
