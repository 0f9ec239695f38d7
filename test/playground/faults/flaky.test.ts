/** /flaky/:n: fails N times, then succeeds; the client rides it out. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from '../../../src/client/index.ts';
import { playgroundPerFile } from '../../support/playground.ts';

const pg = playgroundPerFile();

describe('playground: rate limits and faults', () => {
  it('a flaky route fails N times then succeeds; the client rides it out', async () => {
    const client = createClient({ baseUrl: pg.url, retry: { limit: 3, baseDelay: 1 } });
    assert.equal((await (await client.get(`flaky/2?id=${Date.now()}`)).json()).attempt, 3);
    assert.equal((await (await client.get(`flaky/1?id=r${Date.now()}&mode=reset`)).json()).attempt, 2);
  });
});
