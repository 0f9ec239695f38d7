/**
 * The playground's answers are inert in a browser, except the one page of its own that must work
 * there: the authorize endpoint's sign-in form keeps the policy the authorization server gave it
 * (no script, no framing, the form allowed to post and be sent back), not the sandboxing one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API_POLICY } from '../../src/playground/inert-answers.ts';
import { DEMO } from '../../src/playground/seed.ts';
import { type Playground, startPlayground } from '../../src/playground/serve.ts';
import { authorizePagePolicy } from '../../src/server/tokens/authorize-page.ts';

describe('the playground keeps the sign-in page usable', () => {
  let pg: Playground;
  before(async () => {
    pg = await startPlayground();
  });
  after(() => pg.close());

  it('serves the authorize form with its own policy, and everything else with the sandboxing one', async () => {
    const redirectUri = 'http://127.0.0.1:5173/callback';
    const url = new URL(`${pg.url}/oauth/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: DEMO.publicClient,
      redirect_uri: redirectUri,
      state: 's',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const form = await fetch(url);
    assert.match((await form.text()) ?? '', /name="password"/);
    assert.equal(form.headers.get('content-security-policy'), authorizePagePolicy(redirectUri));
    assert.ok(!form.headers.get('content-security-policy')!.includes('sandbox'), 'a sandboxed form cannot be sent');
    assert.equal(form.headers.get('x-content-type-options'), 'nosniff');

    const refused = await fetch(`${pg.url}/oauth/authorize?client_id=nobody`);
    await refused.arrayBuffer();
    const refusal = refused.headers.get('content-security-policy')!;
    assert.match(refused.headers.get('content-type')!, /^text\/html/);
    for (const directive of ["default-src 'none'", "form-action 'none'", "frame-ancestors 'none'"])
      assert.ok(refusal.includes(directive), `the page with no form: ${directive}`);
    const elsewhere = await fetch(`${pg.url}/response-headers?content-type=text/plain`);
    await elsewhere.arrayBuffer();
    assert.equal(elsewhere.headers.get('content-security-policy'), API_POLICY);
  });
});
