/** /unavailable: 503 with Retry-After on demand. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { playgroundPerFile } from '../../support/playground.ts';

const pg = playgroundPerFile();
const { json } = pg;

describe('playground: rate limits and faults', () => {
  it('503 with Retry-After on demand', async () => {
    const answer = await json('/unavailable?retry_after=7');
    assert.deepStrictEqual([answer.status, answer.headers.get('retry-after')], [503, '7']);
  });
});
