/** The doctor against FastAPI 0.92 without CORSMiddleware, which answers the preflight itself: 405, so preflight_refused. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { diagnose, exitCode } from '../../src/doctor/index.ts';
import { fastApiToken, type RealServer, realServersMissing, startFastApi, USERS } from '../support/real-servers.ts';

const ORIGIN = 'https://app.example';

describe('on FastAPI 0.92 without CORSMiddleware', { skip: realServersMissing() ?? false }, () => {
  let app: RealServer;
  before(async () => {
    app = await startFastApi();
  });
  after(async () => {
    await app?.stop();
  });

  it('the preflight gets 405: preflight_refused, exit 1, though the GET itself is 200', async () => {
    const preflight = await fetch(`${app.origin}/users/me`, {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    assert.equal(preflight.status, 405);
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    const token = await fastApiToken(app.origin, USERS.alice);
    const report = await diagnose({ url: `${app.origin}/users/me`, bearer: token, origin: ORIGIN, timeoutMs: 5000 });
    assert.equal(report.status, 200);
    assert.equal(report.findings[0]?.code, 'preflight_refused');
    assert.match(report.findings[0]!.fix, /CORSMiddleware/);
    assert.equal(exitCode(report), 1);
    assert.ok(!JSON.stringify(report).includes(token));
  });
});
