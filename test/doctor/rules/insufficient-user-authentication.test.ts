/** insufficient_user_authentication: a step-up refusal (RFC 9470 §3) is named, with the level needed and how to reach it. */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createProblem, PROBLEM_CONTENT_TYPE } from '../../../src/client/index.ts';
import { diagnose, exitCode } from '../../../src/doctor/index.ts';
import { hint } from '../../../src/doctor/readings/fixes.ts';
import { DEMO } from '../../../src/playground/seed.ts';
import { type Playground, startPlayground } from '../../../src/playground/serve.ts';
import { assertMasked } from '../../support/doctor-masking.ts';
import { codes, doctorRecording } from '../../support/doctor-runs.ts';
import { type DpopWorld, dpopWorld, proof, proofKey } from '../../support/dpop-world.ts';
import { unsignedJwt } from '../../support/jwt.ts';
import { json, serverPerTest } from '../../support/server.ts';
import { post } from '../../support/token-world.ts';

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

/** The findings that say the credentials themselves are wrong, which a step-up refusal contradicts. */
const REJECTED = ['credentials_rejected', 'token_rejected', 'basic_credentials_rejected'];

describe('insufficient_user_authentication from a real Gatehouse: the only finding for the credentials', () => {
  let pg: Playground;
  let w: DpopWorld;
  before(async () => {
    pg = await startPlayground();
    w = await dpopWorld();
  });
  after(async () => {
    await pg.close();
    await w.close();
  });

  it("the playground's /api/step-up with a good Basic pair: no advice to check the username and password", async () => {
    const alice = DEMO.users[0]!;
    const report = await diagnose({
      url: `${pg.url}/api/step-up`,
      basic: `${alice.username}:${alice.password}`,
      timeoutMs: 3000,
    });
    assert.equal(codes(report)[0], 'insufficient_user_authentication', codes(report).join());
    for (const code of REJECTED) assert.ok(!codes(report).includes(code), codes(report).join());
    assert.ok(!report.findings.some((f) => /check the username and password/i.test(f.fix)));
  });

  it('a DPoP guard: the step-up is named from its DPoP challenge, and nothing says the token is refused', async () => {
    const key = await proofKey();
    const tokenUrl = `${w.url}/oauth/token`;
    const form = { grant_type: 'password', client_id: 'web', username: 'alice', password: 'alice-password-1' };
    const token = (await post(tokenUrl, form, { dpop: await proof(key, { htm: 'POST', htu: tokenUrl }) })).body
      .access_token;
    const url = `${w.url}/api/step-up`;
    const dpop = await proof(key, { htm: 'GET', htu: url, accessToken: token });
    const report = await diagnose({
      url,
      headers: [
        ['Authorization', `DPoP ${token}`],
        ['DPoP', dpop],
      ],
      timeoutMs: 3000,
    });
    assert.equal(codes(report)[0], 'insufficient_user_authentication', codes(report).join());
    for (const code of [...REJECTED, 'dpop_refused']) assert.ok(!codes(report).includes(code), codes(report).join());
    assert.match(report.findings[0]!.fix, /with acr_values=mfa and max_age=300/);
    assert.ok(report.findings[0]!.evidence.some((line) => /^< WWW-Authenticate: DPoP .*acr_values="mfa"/i.test(line)));
    assertMasked(report, [token, dpop]);
  });
});
