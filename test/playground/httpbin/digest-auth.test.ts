/** httpbin's /digest-auth accepts a real Digest answer in every algorithm, and refuses a wrong password with a new challenge. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, digest } from '../../../src/client/index.ts';
import { playgroundPerFile } from '../../support/playground.ts';

const pg = playgroundPerFile();

describe('httpbin compatibility', () => {
  for (const algorithm of ['MD5', 'SHA-256', 'SHA-512']) {
    it(`digest-auth/auth/user/passwd/${algorithm} accepts a real Digest answer`, async () => {
      const client = createClient({ baseUrl: pg.url, auth: digest('user', 'passwd') });
      const response = await client.get(`digest-auth/auth/user/passwd/${algorithm}`);
      assert.deepStrictEqual(await response.json(), { authenticated: true, user: 'user' });
    });
  }

  it('digest-auth refuses a wrong password with a new challenge', async () => {
    const client = createClient({ baseUrl: pg.url, auth: digest('user', 'wrong'), throwHttpErrors: false });
    assert.equal((await client.get('digest-auth/auth/user/passwd')).status, 401);
  });
});
