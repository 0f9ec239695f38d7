import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  bearer,
  createClient,
  createProblem,
  PROBLEM_CONTENT_TYPE,
  UnauthorizedError,
} from '../../../src/client/index.ts';
import { startServer, type TestServer } from '../../support/server.ts';

describe('errors say why, and never leak', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer((req, res) => {
      const problem = createProblem('token_expired', { detail: `token ${String(req.headers.authorization)} expired` });
      res.writeHead(401, {
        'content-type': PROBLEM_CONTENT_TYPE,
        'www-authenticate': 'Bearer realm="api", error="invalid_token", error_description="The access token expired"',
      });
      res.end(JSON.stringify(problem));
    });
  });
  after(() => server.close());

  it('carries the reason from the problem body, the challenges, and the catalogue hint', async () => {
    const error = await createClient({ baseUrl: server.url, auth: bearer('secret-token-value-xyz') })
      .get('me')
      .catch((e: unknown) => e);
    assert.ok(error instanceof UnauthorizedError);
    assert.equal(error.reason, 'token_expired');
    assert.equal(error.problem?.['code'], 'token_expired');
    assert.equal(error.challenges[0]?.params['error'], 'invalid_token');
    assert.match(
      error.message,
      /^GET http:\/\/127\.0\.0\.1:\d+\/me answered 401 Unauthorized \(token_expired: The token's exp has passed/,
    );
  });

  it('keeps the token out of message, stack, inspect and JSON, even when the server echoes it', async () => {
    const error = await createClient({ baseUrl: server.url, auth: bearer('secret-token-value-xyz') })
      .get('me')
      .catch((e: unknown) => e);
    assert.ok(error instanceof UnauthorizedError);
    const text = [
      error.message,
      error.stack,
      String(error),
      inspect(error, { depth: 10, showHidden: false }),
      JSON.stringify(error),
    ].join('\n');
    assert.ok(!text.includes('secret-token-value-xyz'));
    // The echoed token is in the server's own detail, which stays in error.problem for whoever reads it deliberately.
    assert.match(String(error.problem?.detail), /secret-token-value-xyz/);
  });
});
