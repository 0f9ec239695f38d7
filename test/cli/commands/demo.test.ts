import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO } from '../../../src/playground/seed.ts';
import { gatehouseSync } from '../../support/cli.ts';

const gatehouse = (...args: string[]) => gatehouseSync(args, { env: { FORCE_COLOR: '1' }, timeoutMs: 60_000 });

describe('gatehouse demo', () => {
  it('runs the demo: every scenario as documented, in under 30 s, no colour when not a terminal', () => {
    const started = Date.now();
    const { code, stdout } = gatehouse('demo');
    assert.equal(code, 0, stdout);
    assert.ok(Date.now() - started < 30_000);
    assert.match(stdout, /^demo: 13 passed, 0 failed \(\d+\.\d s\)$/m);
    assert.doesNotMatch(stdout, /\u001b\[/, 'no ANSI escapes on a pipe');
    // Whoever came with a 401 of their own ends on the doctor, with an example to copy.
    assert.match(
      stdout,
      /\ndemo: 13 passed, 0 failed \(\d+\.\d s\)\nnext: gatehouse doctor <your URL> names the cause of a 401 of your own, as in\n {2}gatehouse doctor https:\/\/api\.example\.com\/v1\/me --bearer "\$TOKEN"\n$/,
    );
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
    assert.doesNotMatch(stdout, /next: gatehouse doctor/, 'JSON only, for machines');
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
});
