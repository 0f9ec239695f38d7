/** The API key scheme: a live key accepted and its use recorded; a wrong, malformed or expired one refused. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Guard } from '../../../src/server/index.ts';
import { ask, type Fixture, fixture } from '../../support/guard-fixture.ts';

let f: Fixture;
let guard: Guard;
before(async () => {
  f = await fixture();
  guard = f.guard(['bearer', 'basic', 'apiKey']);
});

describe('API keys', () => {
  it('accepts a live key, records its use, refuses a wrong, malformed or expired one', async () => {
    assert.equal((await ask(guard, { 'x-api-key': f.apiKey })).principal, 'svc-reports');
    assert.ok(f.keys.lastUsed.size === 1);
    const tampered = `${f.apiKey.slice(0, -2)}xx`;
    for (const key of [tampered, 'not-a-key', f.apiKey.toUpperCase()]) {
      const answer = await ask(guard, { 'x-api-key': key });
      assert.deepStrictEqual([answer.status, answer.body['code']], [401, 'credentials_invalid']);
    }
    const expired = await ask(guard, { 'x-api-key': f.expiredApiKey });
    assert.equal(expired.status, 401);
    assert.match(String(expired.body['detail']), /expired at .*ask for a new one/);
  });
});
