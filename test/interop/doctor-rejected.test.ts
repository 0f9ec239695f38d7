/**
 * Credentials rejected and credentials that never arrived (issue 15 points 1 and 2), against
 * FastAPI and Django REST Framework as their tutorials write them, and a proxy that strips
 * Authorization. Each test asserts what the real server answers first, then what the doctor makes of it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type DiagnoseOptions,
  diagnose,
  exitCode,
  keysFromOption,
  type Report,
  renderTerminal,
} from '../../src/doctor/index.ts';
import { assertMasked } from '../support/doctor-masking.ts';
import {
  answer,
  detail,
  fastApiToken,
  only,
  type RealServer,
  realServersMissing,
  signFastApiToken,
  startDrf,
  startFastApi,
  startStrippingProxy,
  USERS,
} from '../support/real-servers.ts';

const skip = realServersMissing() ?? false;

/** What the server answers, as the doctor compares it: status, challenge, body. */
const ask = async (url: string, headers: Record<string, string> = {}) =>
  only(await answer(url, { headers }), 'status', 'challenge', 'body', 'via');

const basicHeader = (pair: string) => ({ authorization: `Basic ${Buffer.from(pair).toString('base64')}` });
const doctor = (options: DiagnoseOptions) => diagnose({ timeoutMs: 5000, ...options });
const codes = (report: Report) => report.findings.map((f) => f.code);

describe('the doctor on FastAPI 0.92: credentials rejected, and stripped', { skip }, () => {
  let app: RealServer & { secretKey: string };
  let proxy: RealServer;
  before(async () => {
    app = await startFastApi();
    proxy = await startStrippingProxy(app.origin);
  });
  after(async () => {
    await proxy?.stop();
    await app?.stop();
  });

  it('HTTPBasic, a wrong password: basic_credentials_rejected, with both of its bodies', async () => {
    const pair = `${USERS.alice.username}:not-wonderland`;
    const url = `${app.origin}/basic/me`;
    assert.deepEqual(await ask(url), { status: 401, challenge: 'Basic', body: detail('Not authenticated'), via: null });
    assert.deepEqual(await ask(url, basicHeader(pair)), {
      status: 401,
      challenge: 'Basic',
      body: detail('Incorrect username or password'),
      via: null,
    });

    const report = await doctor({ url, basic: pair });
    assert.equal(report.findings[0]?.code, 'basic_credentials_rejected', JSON.stringify(codes(report)));
    const evidence = report.findings[0]!.evidence.join('\n');
    assert.match(evidence, /username "alice"; password ASCII(?!.*characters)/);
    assert.match(evidence, /< \{"detail":"Incorrect username or password"\}/);
    assert.match(
      evidence,
      /\(without-credentials\)\n< HTTP 401 Unauthorized\n< WWW-Authenticate: Basic\n< \{"detail":"Not authenticated"\}/,
    );
    assert.match(report.findings[0]!.fix, /Check the username and password/);
    assert.equal(report.findings[0]!.tried, undefined);
    assert.match(
      renderTerminal(report).split('\n')[0]!,
      /401 — The server refuses the username and password \(user "alice"\)/,
    );
    assert.equal(exitCode(report), 1);
    assertMasked(report, 'not-wonderland', pair);
  });

  it('OAuth2 + JWT, a token signed by another key: token_rejected ("Not authenticated" became "Could not validate credentials")', async () => {
    const token = await signFastApiToken('another-key-entirely', { sub: 'alice', scopes: ['me'] });
    const url = `${app.origin}/users/me`;
    assert.deepEqual(await ask(url), {
      status: 401,
      challenge: 'Bearer',
      body: detail('Not authenticated'),
      via: null,
    });
    assert.deepEqual(await ask(url, { authorization: `Bearer ${token}` }), {
      status: 401,
      challenge: 'Bearer scope="me"',
      body: detail('Could not validate credentials'),
      via: null,
    });

    const report = await doctor({ url, bearer: token });
    assert.deepEqual(codes(report), ['token_rejected']);
    const evidence = report.findings[0]!.evidence.join('\n');
    assert.match(evidence, /< WWW-Authenticate: Bearer scope="me"\n< \{"detail":"Could not validate credentials"\}/);
    assert.match(evidence, /< WWW-Authenticate: Bearer\n< \{"detail":"Not authenticated"\}/);
    assert.match(report.findings[0]!.fix, /signed with another key/);
    assert.equal(exitCode(report), 1);
    assertMasked(report, token);
  });

  it("with the app's real secret as --key, the doctor shows the signature does not verify", async () => {
    const token = await signFastApiToken('another-key-entirely', { sub: 'alice', scopes: ['me'] });
    const url = `${app.origin}/users/me`;
    assert.equal((await ask(url, { authorization: `Bearer ${token}` })).status, 401);
    const keys = { keys: keysFromOption(app.secretKey), from: '--key' };
    const report = await doctor({ url, bearer: token, keys });
    assert.equal(report.findings[0]?.code, 'token_signature_invalid', JSON.stringify(codes(report)));
    assert.equal(report.findings[0]!.severity, 'error');
    assert.match(report.findings[0]!.evidence.join('\n'), /checked here with the key given: signature_invalid/);
    assert.ok(!codes(report).includes('token_rejected'));
    assert.equal(exitCode(report), 1);
    assertMasked(report, token, app.secretKey);

    // The same key and a token the app issued itself: it verifies, the app answers 200, nothing to say.
    const issued = await fastApiToken(app.origin, USERS.alice);
    assert.equal((await ask(url, { authorization: `Bearer ${issued}` })).status, 200);
    const fine = await doctor({ url, bearer: issued, keys });
    assert.deepEqual([codes(fine), exitCode(fine)], [[], 0]);
  });

  it('behind a proxy that strips Authorization: credentials_not_received, with Via quoted', async () => {
    const token = await fastApiToken(app.origin, USERS.alice);
    const url = `${proxy.origin}/users/me`;
    const without = await ask(url);
    const withToken = await ask(url, { authorization: `Bearer ${token}` });
    assert.deepEqual(withToken, without);
    assert.deepEqual(withToken, {
      status: 401,
      challenge: 'Bearer',
      body: detail('Not authenticated'),
      via: '1.1 strip-proxy',
    });

    const report = await doctor({ url, bearer: token });
    assert.equal(report.findings[0]?.code, 'credentials_not_received', JSON.stringify(codes(report)));
    assert.match(report.findings[0]!.title, /Via 1\.1 strip-proxy/);
    const evidence = report.findings[0]!.evidence.join('\n');
    assert.match(evidence, /< the same status, the same challenge, the same body/);
    assert.match(evidence, /< via: 1\.1 strip-proxy/i);
    assert.match(report.findings[0]!.fix, /proxy_set_header Authorization \$http_authorization/);
    assert.ok(!codes(report).some((c) => c === 'credentials_missing' || c.endsWith('_rejected')));
    assert.equal(exitCode(report), 1);
    assertMasked(report, token);
  });
});

describe('the doctor on Django REST Framework 3.14: credentials rejected, and stripped', { skip }, () => {
  let app: RealServer & { token: string };
  let proxy: RealServer;
  before(async () => {
    app = await startDrf();
    proxy = await startStrippingProxy(app.origin);
  });
  after(async () => {
    await proxy?.stop();
    await app?.stop();
  });

  it('BasicAuthentication, a wrong password: basic_credentials_rejected', async () => {
    const pair = 'alice:not-wonderland';
    const url = `${app.origin}/api/basic/me/`;
    const challenge = 'Basic realm="api"';
    assert.deepEqual(await ask(url), {
      status: 401,
      challenge,
      body: detail('Authentication credentials were not provided.'),
      via: null,
    });
    assert.deepEqual(await ask(url, basicHeader(pair)), {
      status: 401,
      challenge,
      body: detail('Invalid username/password.'),
      via: null,
    });

    const report = await doctor({ url, basic: pair });
    assert.deepEqual(codes(report), ['basic_credentials_rejected']);
    const evidence = report.findings[0]!.evidence.join('\n');
    assert.match(evidence, /< \{"detail":"Invalid username\/password\."\}/);
    assert.match(evidence, /< \{"detail":"Authentication credentials were not provided\."\}/);
    assert.equal(exitCode(report), 1);
    assertMasked(report, 'not-wonderland', pair);
  });

  it('TokenAuthentication, a wrong token: credentials_rejected, fixed in the Token scheme', async () => {
    const wrong = 'f'.repeat(40); // the shape of a DRF token (40 hex digits), not one it issued
    const url = `${app.origin}/api/token/me/`;
    assert.deepEqual(await ask(url, { authorization: `Token ${wrong}` }), {
      status: 401,
      challenge: 'Token',
      body: detail('Invalid token.'),
      via: null,
    });
    assert.deepEqual(await ask(url), {
      status: 401,
      challenge: 'Token',
      body: detail('Authentication credentials were not provided.'),
      via: null,
    });

    const report = await doctor({ url, headers: [['Authorization', `Token ${wrong}`]] });
    assert.deepEqual(codes(report), ['credentials_rejected']);
    assert.match(report.findings[0]!.fix, /-H 'Authorization: Token TOKEN'/);
    assert.doesNotMatch(report.findings[0]!.fix, /--bearer|--basic/);
    assert.equal(exitCode(report), 1);
    assertMasked(report, wrong);
  });

  it('behind a proxy that strips Authorization: credentials_not_received, with Via quoted', async () => {
    const url = `${proxy.origin}/api/token/me/`;
    assert.equal((await ask(`${app.origin}/api/token/me/`, { authorization: `Token ${app.token}` })).status, 200);
    const without = await ask(url);
    const withToken = await ask(url, { authorization: `Token ${app.token}` });
    assert.deepEqual(withToken, without);
    assert.deepEqual(withToken, {
      status: 401,
      challenge: 'Token',
      body: detail('Authentication credentials were not provided.'),
      via: '1.1 strip-proxy',
    });

    const report = await doctor({ url, headers: [['Authorization', `Token ${app.token}`]] });
    assert.equal(report.findings[0]?.code, 'credentials_not_received', JSON.stringify(codes(report)));
    assert.match(report.findings[0]!.evidence.join('\n'), /< via: 1\.1 strip-proxy/i);
    assert.match(report.findings[0]!.fix, /WSGIPassAuthorization On/);
    assert.equal(exitCode(report), 1);
    assertMasked(report, app.token);
  });

  it('a Token sent to the session-first view: credentials_ignored (it does not read Token), not a proxy', async () => {
    const url = `${app.origin}/api/session/me/`;
    const withToken = await ask(url, { authorization: `Token ${app.token}` });
    assert.deepEqual(withToken, await ask(url));
    assert.deepEqual(withToken, {
      status: 403,
      challenge: null,
      body: detail('Authentication credentials were not provided.'),
      via: null,
    });

    const report = await doctor({ url, headers: [['Authorization', `Token ${app.token}`]] });
    assert.equal(report.findings[0]?.code, 'credentials_ignored', JSON.stringify(codes(report)));
    assert.ok(!codes(report).includes('credentials_not_received'));
    assert.match(report.findings[0]!.title, /does not read the Token scheme here, or they are dropped on the way/);
    assert.match(report.findings[0]!.fix, /^First check which credentials this route reads .*authentication_classes/);
    assert.equal(exitCode(report), 1);
    assertMasked(report, app.token);
  });
});
