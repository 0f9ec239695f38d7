/** /tokens/:kind: expired and not-yet-valid tokens on demand, which the guard refuses for exactly that. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { playgroundPerFile } from '../support/playground.ts';

const pg = playgroundPerFile();
const { json } = pg;

describe('playground: OAuth and the guarded routes', () => {
  it('hands out expired and not-yet-valid tokens that the guard refuses for exactly that', async () => {
    for (const [kind, code] of [
      ['expired', 'token_expired'],
      ['not-yet-valid', 'token_not_yet_valid'],
    ]) {
      const { access_token } = (await json(`/tokens/${kind}`)).body;
      const answer = await json('/api/me', { headers: { authorization: `Bearer ${access_token}` } });
      assert.deepStrictEqual([answer.status, answer.body.code], [401, code]);
    }
  });
});
