/**
 * The doctor on DPoP refusals (RFC 9449) from a real Gatehouse API with the DPoP scheme: each cause
 * named from the request's own proof and the server's answer, and neither the token nor the proof
 * anywhere in the rendered report.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { diagnose, diagnoseHar, type Report, renderMarkdown, renderTerminal } from '../../../src/doctor/index.ts';
import { codes, finding } from '../../support/doctor-runs.ts';
import { type DpopWorld, dpopWorld, type ProofKey, proof, proofKey } from '../../support/dpop-world.ts';
import { post } from '../../support/token-world.ts';

async function tokenFrom(w: DpopWorld, key: ProofKey): Promise<string> {
  const url = `${w.url}/oauth/token`;
  const form = { grant_type: 'password', client_id: 'web', username: 'alice', password: 'alice-password-1' };
  const { body } = await post(url, form, { dpop: await proof(key, { htm: 'POST', htu: url }) });
  return body.access_token;
}

/** The report has the finding, and no secret in either rendering. */
function dpopFinding(report: Report, secrets: string[]) {
  const found = finding(report, 'dpop_refused');
  assert.equal(codes(report)[0], 'dpop_refused', codes(report).join(', '));
  assert.ok(!codes(report).includes('server_reason'), 'the catalogue rule gives way');
  // One cause, one finding: nothing says the credentials are wrong in themselves (doctor-findings.md).
  for (const code of ['credentials_rejected', 'token_rejected', 'basic_credentials_rejected'])
    assert.ok(!codes(report).includes(code), `${code} beside dpop_refused`);
  for (const text of [renderTerminal(report), renderMarkdown(report), JSON.stringify(report)])
    for (const secret of secrets) assert.ok(!text.includes(secret), 'a secret in the report');
  return found;
}

describe('doctor: dpop_refused', () => {
  let w: DpopWorld;
  let key: ProofKey;
  let token: string;
  const me = () => `${w.url}/api/me`;
  const run = (headers: Array<[string, string]>) => diagnose({ url: me(), headers, timeoutMs: 3000 });
  const apiProof = (extra = {}) => proof(key, { htm: 'GET', htu: me(), accessToken: token, ...extra });
  before(async () => {
    w = await dpopWorld();
    key = await proofKey();
    token = await tokenFrom(w, key);
  });
  after(() => w.close());

  it('a DPoP token without a proof', async () => {
    const report = await run([['Authorization', `DPoP ${token}`]]);
    const found = dpopFinding(report, [token]);
    assert.match(found.title, /without a DPoP proof/);
    assert.ok(found.evidence.includes('> (no DPoP header)'));
    assert.ok(found.fix.startsWith('Send one fresh DPoP proof per request'), found.fix);
  });

  it('a bound token sent as Bearer, with its cnf.jkt as evidence', async () => {
    const report = await diagnose({ url: me(), bearer: token, timeoutMs: 3000 });
    const found = dpopFinding(report, [token]);
    assert.match(found.title, /sent as Bearer/);
    assert.ok(found.evidence.some((line) => line.includes(key.jkt)));
    assert.ok(found.fix.startsWith('Send a DPoP-bound token as DPoP'), found.fix);
  });

  it('a token bound to one key with a proof of another: both thumbprints shown', async () => {
    const other = await proofKey();
    const dpop = await proof(other, { htm: 'GET', htu: me(), accessToken: token });
    const found = dpopFinding(
      await run([
        ['Authorization', `DPoP ${token}`],
        ['DPoP', dpop],
      ]),
      [token, dpop],
    );
    assert.match(found.title, /signed with another key than the one the token is bound to/);
    assert.ok(found.evidence.includes(`  the token is bound to the key cnf.jkt ${JSON.stringify(key.jkt)}`));
    assert.ok(found.evidence.includes(`  the proof is signed by the key ${JSON.stringify(other.jkt)}`));
    assert.ok(
      found.evidence.some((line) => /bound to another key/.test(line)),
      'the server says so',
    );
    assert.match(found.fix, /the key the token was issued to/);
  });

  it('an unbound token sent as DPoP: told to send it as Bearer only where Bearer is taken', async () => {
    const tokenUrl = `${w.url}/oauth/token`;
    const form = { grant_type: 'password', client_id: 'web', username: 'alice', password: 'alice-password-1' };
    const unbound = (await post(tokenUrl, form)).body.access_token;
    const cases: Array<[string, RegExp]> = [
      ['/api/me', /Send it as `Authorization: Bearer <token>`/],
      ['/api/dpop-only', /takes only DPoP.*a token request that carries a DPoP proof/],
    ];
    for (const [path, advice] of cases) {
      const url = `${w.url}${path}`;
      const dpop = await proof(key, { htm: 'GET', htu: url, accessToken: unbound });
      const report = await diagnose({
        url,
        headers: [
          ['Authorization', `DPoP ${unbound}`],
          ['DPoP', dpop],
        ],
        timeoutMs: 3000,
      });
      const found = dpopFinding(report, [unbound, dpop]);
      assert.match(found.title, /not bound to a DPoP key/, path);
      assert.match(found.fix, advice, path);
    }
  });

  it('a bound token sent to an API that takes only Bearer: not told to send it as DPoP', async () => {
    const found = dpopFinding(await diagnose({ url: `${w.url}/api/bearer-only`, bearer: token, timeoutMs: 3000 }), [
      token,
    ]);
    assert.match(found.title, /sent as Bearer/);
    assert.doesNotMatch(found.fix, /Authorization: DPoP/);
    assert.match(found.fix, /takes no DPoP.*without a DPoP proof/);
  });

  it('a proof made for another URL: both shown', async () => {
    const dpop = await apiProof({ htu: 'https://public.example/api/me' });
    const found = dpopFinding(
      await run([
        ['Authorization', `DPoP ${token}`],
        ['DPoP', dpop],
      ]),
      [token, dpop],
    );
    assert.match(found.title, /htu is not the URL called/);
    assert.ok(found.evidence.includes('  proof htu "https://public.example/api/me"'));
    assert.ok(found.evidence.includes(`  URL called ${JSON.stringify(me())}`));
  });

  it('a proof whose iat is 10 minutes old: the skew shown', async () => {
    const dpop = await apiProof({ iat: Math.floor(Date.now() / 1000) - 600 });
    const found = dpopFinding(
      await run([
        ['Authorization', `DPoP ${token}`],
        ['DPoP', dpop],
      ]),
      [token, dpop],
    );
    assert.match(found.title, /iat is 10 min behind the server's clock/);
    assert.ok(found.evidence.some((line) => /^< Date: /i.test(line)));
  });

  it('a proof already used', async () => {
    const dpop = await apiProof();
    assert.equal((await fetch(me(), { headers: { authorization: `DPoP ${token}`, dpop } })).status, 200);
    const found = dpopFinding(
      await run([
        ['Authorization', `DPoP ${token}`],
        ['DPoP', dpop],
      ]),
      [token, dpop],
    );
    assert.match(found.title, /sent before/);
  });

  it('in a HAR: the second request with the same proof jti names the first', async () => {
    const dpop = await apiProof();
    const headers = [
      { name: 'Authorization', value: `DPoP ${token}` },
      { name: 'DPoP', value: dpop },
    ];
    const entry = (status: number, challenge: string) => ({
      request: { method: 'GET', url: me(), headers },
      response: {
        status,
        statusText: '',
        headers: challenge ? [{ name: 'WWW-Authenticate', value: challenge }] : [],
        content: { text: '' },
      },
    });
    const file = join(mkdtempSync(join(tmpdir(), 'gh-dpop-')), 'session.har');
    const refusal = 'DPoP algs="ES256", error="invalid_dpop_proof"';
    writeFileSync(file, JSON.stringify({ log: { version: '1.2', entries: [entry(200, ''), entry(401, refusal)] } }));
    const [report] = await diagnoseHar(file);
    const found = dpopFinding(report!, [token, dpop]);
    assert.ok(found.evidence.some((line) => line.includes('the same as the proof of log.entries[0]')));
  });

  it('a fresh, correct proof: no finding', async () => {
    const report = await run([
      ['Authorization', `DPoP ${token}`],
      ['DPoP', await apiProof()],
    ]);
    assert.equal(report.outcome, 'success');
    assert.ok(!codes(report).includes('dpop_refused'));
  });
});

describe('doctor: dpop_refused, server-side causes', () => {
  it('the server wants its nonce: retry with DPoP-Nonce', async () => {
    const w = await dpopWorld({ nonce: true });
    try {
      const key = await proofKey();
      const token = await tokenFrom(w, key);
      const dpop = await proof(key, { htm: 'GET', htu: `${w.url}/api/me`, accessToken: token });
      const report = await diagnose({
        url: `${w.url}/api/me`,
        headers: [
          ['Authorization', `DPoP ${token}`],
          ['DPoP', dpop],
        ],
        timeoutMs: 3000,
      });
      const found = dpopFinding(report, [token, dpop]);
      assert.match(found.title, /requires a DPoP nonce and the proof carried none/);
      assert.ok(found.evidence.some((line) => /^< DPoP-Nonce: /i.test(line)));
      assert.ok(found.fix.startsWith('Make a new DPoP proof carrying the nonce'), found.fix);
    } finally {
      await w.close();
    }
  });

  it('behind a proxy: the server expects another htu than the URL called', async () => {
    const w = await dpopWorld({ publicBaseUrl: 'https://api.example/v1' });
    try {
      const key = await proofKey();
      const token = await tokenFrom(w, key);
      const dpop = await proof(key, { htm: 'GET', htu: `${w.url}/api/me`, accessToken: token });
      const report = await diagnose({
        url: `${w.url}/api/me`,
        headers: [
          ['Authorization', `DPoP ${token}`],
          ['DPoP', dpop],
        ],
        timeoutMs: 3000,
      });
      const found = dpopFinding(report, [token, dpop]);
      assert.match(found.title, /a proxy rewrote/);
      assert.ok(found.evidence.includes('< the server expects htu "https://api.example/v1/api/me"'));
      assert.match(found.fix, /publicBaseUrl/);
    } finally {
      await w.close();
    }
  });
});
