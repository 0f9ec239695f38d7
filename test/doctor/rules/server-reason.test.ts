/**
 * One cause, one fix: when Gatehouse's own server (the playground) names its reason with a
 * catalogue code and a rule explains the same cause from evidence of its own, the doctor reports
 * that rule alone (no second `server_reason` finding), and its fix starts from the catalogue's hint.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { diagnose, exitCode, type Report, renderTerminal } from '../../../src/doctor/index.ts';
import { hint } from '../../../src/doctor/readings/fixes.ts';
import { type Playground, startPlayground } from '../../../src/playground/serve.ts';

let pg: Playground;
before(async () => {
  pg = await startPlayground();
});
after(() => pg.close());

async function tokenOf(kind: 'expired' | 'not-yet-valid' | 'valid'): Promise<string> {
  const answer = await fetch(`${pg.url}/tokens/${kind}`);
  return ((await answer.json()) as { access_token: string }).access_token;
}

/** The server's own answer, before the doctor reads it. */
async function problemOf(path: string, token?: string) {
  const answer = await fetch(pg.url + path, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: answer.status, retryAfter: answer.headers.get('retry-after'), body: await answer.json() };
}

function assertOneFix(report: Report, code: string, reason: Parameters<typeof hint>[0]): void {
  const found = report.findings.filter((f) => f.code === code);
  assert.equal(found.length, 1, `${code} in ${report.findings.map((f) => f.code).join(', ')}`);
  assert.ok(!report.findings.some((f) => f.code === 'server_reason'), 'no second finding for the same cause');
  assert.ok(found[0]!.fix.startsWith(hint(reason)), found[0]!.fix);
  assert.equal(report.findings.filter((f) => f.fix.includes(hint(reason))).length, 1, 'the hint is given once');
  assert.equal(exitCode(report), 1);
}

describe('doctor: a catalogue reason named by the server, explained once', () => {
  it('token_expired: the server says so, the doctor measures exp against its Date', async () => {
    const token = await tokenOf('expired');
    const raw = await problemOf('/api/me', token);
    assert.deepStrictEqual([raw.status, raw.body.code, raw.body.hint], [401, 'token_expired', hint('token_expired')]);

    const report = await diagnose({ url: `${pg.url}/api/me`, bearer: token, timeoutMs: 3000 });
    assertOneFix(report, 'token_expired', 'token_expired');
    const fix = report.findings.find((f) => f.code === 'token_expired')!.fix;
    assert.match(fix, /Its exp is \d{4}-\d\d-\d\dT\S+Z; the server's clock \(its Date header\) reads \d{4}-/);
    const text = renderTerminal(report);
    assert.ok(!text.includes(token) && !JSON.stringify(report).includes(token), 'the token is masked');
  });

  it('token_not_yet_valid: the same, for nbf', async () => {
    const token = await tokenOf('not-yet-valid');
    const raw = await problemOf('/api/me', token);
    assert.deepStrictEqual([raw.status, raw.body.code], [401, 'token_not_yet_valid']);

    const report = await diagnose({ url: `${pg.url}/api/me`, bearer: token, timeoutMs: 3000 });
    assertOneFix(report, 'token_not_yet_valid', 'token_not_yet_valid');
    assert.match(report.findings.find((f) => f.code === 'token_not_yet_valid')!.fix, /Its nbf is \d{4}-/);
  });

  it('insufficient_scope: the hint, then the scopes needed and granted', async () => {
    const token = await tokenOf('valid');
    const raw = await problemOf('/api/admin', token);
    assert.deepStrictEqual([raw.status, raw.body.code], [403, 'insufficient_scope']);

    const report = await diagnose({ url: `${pg.url}/api/admin`, bearer: token, timeoutMs: 3000 });
    assertOneFix(report, 'insufficient_scope', 'insufficient_scope');
    assert.match(
      report.findings.find((f) => f.code === 'insufficient_scope')!.fix,
      /The route needs "admin"; the token has "read"; missing "admin"\.$/,
    );
  });

  it('rate_limited: the hint, then the wait the server asked for', async () => {
    const path = `/limited?budget=1&window=60&key=doctor-${Date.now()}`;
    assert.equal((await fetch(pg.url + path)).status, 200);
    const raw = await problemOf(path);
    assert.deepStrictEqual([raw.status, raw.body.code], [429, 'rate_limited']);
    assert.match(String(raw.retryAfter), /^\d+$/);

    const report = await diagnose({ url: pg.url + path, timeoutMs: 3000 });
    assertOneFix(report, 'rate_limited', 'rate_limited');
    assert.match(
      report.findings.find((f) => f.code === 'rate_limited')!.fix,
      /Here that is \d+ s \(measured against the server's Date\); the policy allows 1 per 60 s\.$/,
    );
  });
});
