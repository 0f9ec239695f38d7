/** insufficient_user_authentication: a step-up refusal (RFC 9470 §3) is named, with the level needed and how to reach it. */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { createProblem, PROBLEM_CONTENT_TYPE } from '../../../src/client/index.ts';
import { exitCode } from '../../../src/doctor/index.ts';
import { hint } from '../../../src/doctor/readings/fixes.ts';
import { assertMasked } from '../../support/doctor-masking.ts';
import { doctorRecording } from '../../support/doctor-runs.ts';
import { unsignedJwt } from '../../support/jwt.ts';
import { json, serverPerTest } from '../../support/server.ts';

const serve = serverPerTest();
const run = doctorRecording(serve);
const now = () => Math.floor(Date.now() / 1000);
const token = () =>
  unsignedJwt({ alg: 'HS256', typ: 'JWT' }, { sub: 'alice', acr: 'pwd', auth_time: now() - 600, exp: now() + 600 });

/** A Gatehouse-like API: no token, a plain challenge; a token, step-up needed. */
function stepUp(challenge: string | undefined) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (!req.headers.authorization)
      return json(res, 401, { detail: 'Not authenticated' }, { 'www-authenticate': 'Bearer realm="api"' });
    const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };
    if (challenge) headers['www-authenticate'] = challenge;
    res.writeHead(401, headers);
    res.end(
      JSON.stringify(
        createProblem('insufficient_user_authentication', { extensions: { acr_values: 'mfa', max_age: 300 } }),
      ),
    );
  };
}

describe('insufficient_user_authentication', () => {
  it('names the level and age the route needs, what the token has, and to sign in again with them', async () => {
    const bearer = token();
    const { report } = await run(
      stepUp(
        'Bearer realm="api", error="insufficient_user_authentication", error_description="A stronger or more recent sign-in is needed", acr_values="mfa", max_age="300"',
      ),
      { bearer },
    );
    const [first] = report.findings;
    assert.equal(first?.code, 'insufficient_user_authentication');
    assert.equal(first.title, 'The route needs a sign-in of level mfa, no older than 300 s');
    assert.ok(first.fix.startsWith(hint('insufficient_user_authentication')));
    assert.match(first.fix, /with acr_values=mfa and max_age=300/);
    assert.match(first.fix, /The token has acr "pwd", signed in 60\d s ago\./);
    assert.ok(
      first.evidence.some((line) => line.startsWith('  token acr = "pwd", auth_time = ')),
      first.evidence.join('\n'),
    );
    // One cause, one finding: the catalogue code is not explained a second time.
    assert.ok(!report.findings.some((f) => f.code === 'server_reason'), report.findings.map((f) => f.code).join());
    assert.equal(exitCode(report), 1);
    assertMasked(report, [bearer, bearer.split('.')[2]!]);
  });

  it('reads the problem body when no challenge carries the error', async () => {
    const { report } = await run(stepUp(undefined), { bearer: token() });
    assert.equal(report.findings[0]?.code, 'insufficient_user_authentication');
    assert.match(report.findings[0]!.fix, /with acr_values=mfa and max_age=300/);
  });
});
