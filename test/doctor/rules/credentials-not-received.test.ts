/**
 * Credentials that never arrived (issue 15 point 2): a proxy drops Authorization, so the answers
 * with and without credentials match; not when the credential was read. The bodies are FastAPI's
 * own (test/interop/doctor-rejected.test.ts runs the real ones).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import { type DiagnoseOptions, diagnose, exitCode, renderTerminal } from '../../../src/doctor/index.ts';
import { assertMasked } from '../../support/doctor-masking.ts';
import { codes, doctorAt } from '../../support/doctor-runs.ts';
import { detail, fastApiLike, SERVER_KEY, sign } from '../../support/framework-likes.ts';
import { startStrippingProxy } from '../../support/real-servers.ts';
import { json, serverPerTest } from '../../support/server.ts';

const serve = serverPerTest();
const run = doctorAt(serve, '/me');

describe('credentials never arrived', () => {
  const proxies: Array<{ stop(): Promise<void> }> = [];
  after(async () => Promise.all(proxies.map((p) => p.stop())));
  async function behindProxy(
    handler: (req: IncomingMessage, res: ServerResponse) => unknown,
    options: Omit<DiagnoseOptions, 'url'>,
  ) {
    const api = await serve(handler);
    const proxy = await startStrippingProxy(api.origin);
    proxies.push(proxy);
    return diagnose({ url: `${proxy.origin}/me`, timeoutMs: 3000, ...options });
  }

  it('credentials_not_received: a proxy drops Authorization; the answers match, Via is quoted', async () => {
    const token = await sign(SERVER_KEY);
    const report = await behindProxy(fastApiLike, { bearer: token });
    const finding = report.findings[0];
    assert.equal(finding?.code, 'credentials_not_received', JSON.stringify(codes(report)));
    assert.equal(finding.severity, 'error');
    assert.match(finding.title, /never reached the server.*Via 1\.1 strip-proxy/);
    const evidence = finding.evidence.join('\n');
    assert.match(evidence, /> Authorization: Bearer eyJh…/);
    assert.match(evidence, /\(without-credentials\)\n< the same status, the same challenge, the same body/);
    assert.match(evidence, /< via: 1\.1 strip-proxy/i);
    assert.match(finding.fix, /proxy_set_header Authorization \$http_authorization/);
    assert.match(finding.fix, /WSGIPassAuthorization On/);
    assert.ok(!codes(report).some((c) => /credentials_missing|rejected/.test(c)));
    assert.match(renderTerminal(report).split('\n')[0]!, /401 — The credentials never reached the server/);
    assert.equal(exitCode(report), 1);
    assertMasked(report, token);
  });

  it('credentials_not_received: per-request ids in the body do not hide it; Server: Apache names its fix', async () => {
    const report = await behindProxy(
      (_req, res) =>
        json(
          res,
          401,
          { code: 'credentials_missing', request_id: randomUUID(), at: new Date().toISOString() },
          { 'www-authenticate': 'Basic realm="api"', server: 'Apache/2.4.62 (Debian)' },
        ),
      { basic: 'alice:wonderland' },
    );
    assert.equal(report.findings[0]?.code, 'credentials_not_received', JSON.stringify(codes(report)));
    assert.match(report.findings[0]!.evidence.join('\n'), /< server: Apache\/2\.4\.62/i);
    assert.match(
      report.findings[0]!.fix,
      /^The proxy named in Via.*Apache: `WSGIPassAuthorization On`.*`CGIPassAuth On`/,
    );
    assert.ok(!codes(report).includes('server_reason'), 'the server saying "missing" does not contradict it');
    assertMasked(report, 'wonderland', 'alice:wonderland');
  });

  it('not when the credential was read: a wrong one on a public 2xx endpoint, or one in a scheme not offered', async () => {
    const open = await run((_req, res) => json(res, 200, { public: true }), { bearer: 'wrong-but-ignored-123456' });
    assert.deepEqual([codes(open), exitCode(open)], [[], 0]);
    const drfBearer = await run(
      (_req, res) => detail(res, 401, 'Authentication credentials were not provided.', { 'www-authenticate': 'Token' }),
      { bearer: 'abcdef0123456789' },
    );
    assert.ok(!codes(drfBearer).includes('credentials_not_received'));
    assert.equal(drfBearer.findings[0]?.code, 'scheme_mismatch');
    const verdict = await run(
      (_req, res) => json(res, 401, {}, { 'www-authenticate': 'Bearer error="invalid_token"' }),
      { bearer: 'abcdef0123456789' },
    );
    assert.ok(
      !codes(verdict).includes('credentials_not_received'),
      'an error code is a verdict on a credential that arrived',
    );
  });
});
