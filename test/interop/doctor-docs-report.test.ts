/**
 * The doctor report docs/doctor.md shows is real: the same request to the real Django REST Framework
 * server prints it, line for line (the port and the token's masked ends differ per run; a line the
 * page cuts with "[…]" must begin the real one).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { diagnose, renderTerminal } from '../../src/doctor/index.ts';
import { type RealServer, realServersMissing, startDrf } from '../support/real-servers.ts';

const page = readFileSync(new URL('../../docs/doctor.md', import.meta.url), 'utf8');
const block = /```text\n([\s\S]*?)\n```/.exec(page)![1]!;

describe("docs/doctor.md's doctor report", { skip: realServersMissing() ?? false }, () => {
  let app: RealServer & { token: string };
  before(async () => {
    app = await startDrf();
  });
  after(async () => {
    await app?.stop();
  });

  it('is what the doctor prints for DRF, line for line', async () => {
    const report = await diagnose({ url: `${app.origin}/api/token/me`, bearer: app.token, timeoutMs: 5000 });
    const port = new URL(app.origin).port;
    const masked = `${app.token.slice(0, 4)}…${app.token.slice(-4)}`;
    const printed = renderTerminal(report)
      .replaceAll(`127.0.0.1:${port}`, '127.0.0.1:42257')
      .replaceAll(masked, '0f2e…0d95')
      .split('\n');
    const shown = block.split('\n');
    assert.equal(shown.length, printed.length, printed.join('\n'));
    shown.forEach((line, i) => {
      if (line.endsWith(' […]')) assert.ok(printed[i]!.startsWith(line.slice(0, -4)), `line ${i + 1}: ${printed[i]}`);
      else assert.equal(line, printed[i], `line ${i + 1}`);
    });
    assert.ok(!printed.join('\n').includes(app.token));
  });
});
