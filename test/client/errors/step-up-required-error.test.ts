/** A 401 insufficient_user_authentication (RFC 9470 §3) is a StepUpRequiredError naming what sign-in is needed. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  bearer,
  createClient,
  createProblem,
  PROBLEM_CONTENT_TYPE,
  StepUpRequiredError,
  tokenSource,
  UnauthorizedError,
} from '../../../src/client/index.ts';
import { startServer, type TestServer } from '../../support/server.ts';

describe('StepUpRequiredError', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer((req, res) => {
      const path = req.url ?? '';
      const challenge: Record<string, string> = {
        '/both': 'Bearer realm="api", error="insufficient_user_authentication", acr_values="mfa hwk", max_age="300"',
        '/junk': 'Bearer realm="api", error="insufficient_user_authentication", acr_values="mfa", max_age="soon"',
        '/plain': 'Bearer realm="api", error="invalid_token"',
      };
      const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };
      if (challenge[path]) headers['www-authenticate'] = challenge[path];
      res.writeHead(401, headers);
      // /body-only: no challenge, the problem body alone tells (its extension members).
      const code = path === '/plain' ? 'credentials_invalid' : 'insufficient_user_authentication';
      res.end(JSON.stringify(createProblem(code, { extensions: { acr_values: 'mfa', max_age: 60 } })));
    });
  });
  after(() => server.close());

  const get = (path: string, auth = bearer('a-token')) =>
    createClient({ baseUrl: server.url, auth, retry: { limit: 0 } })
      .get(path.slice(1))
      .catch((e: unknown) => e);

  it('exposes acrValues and maxAge from the challenge, and is still an UnauthorizedError', async () => {
    const error = await get('/both');
    assert.ok(error instanceof StepUpRequiredError);
    assert.ok(error instanceof UnauthorizedError);
    assert.equal(error.code, 'ERR_GATEHOUSE_STEP_UP_REQUIRED');
    assert.deepStrictEqual([error.acrValues, error.maxAge], [['mfa', 'hwk'], 300]);
    assert.match(error.message, /insufficient_user_authentication: Sign in again/);
  });

  it('reads the problem body when there is no challenge; drops a max_age that is not seconds', async () => {
    const bodyOnly = await get('/body-only');
    assert.ok(bodyOnly instanceof StepUpRequiredError);
    assert.deepStrictEqual([bodyOnly.acrValues, bodyOnly.maxAge], [['mfa'], 60]);
    const junk = await get('/junk');
    assert.ok(junk instanceof StepUpRequiredError);
    assert.deepStrictEqual([junk.acrValues, junk.maxAge], [['mfa'], undefined]);
  });

  it('does not refresh the token for it (a refresh keeps the old sign-in); another 401 still does', async () => {
    let tokens = 0;
    const source = tokenSource(async () => ({ accessToken: `t${++tokens}`, expiresIn: 3600 }));
    assert.ok((await get('/both', bearer(source))) instanceof StepUpRequiredError);
    assert.equal(tokens, 1);
    const plain = await get('/plain', bearer(source));
    assert.ok(plain instanceof UnauthorizedError && !(plain instanceof StepUpRequiredError));
    assert.equal(tokens, 2);
  });
});
