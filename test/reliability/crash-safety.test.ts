import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crashSafety } from '../support/crash-safety.ts';

describe('token file crash safety (short; npm run soak kills 200 times)', () => {
  it('two processes refreshing through one file, SIGKILLed at random moments: the file always parses, stays 0600, keeps an honoured refresh token', async () => {
    const report = await crashSafety(15);
    assert.deepStrictEqual(report.problems, []);
    assert.ok(report.refreshes > 15, `only ${report.refreshes} refreshes happened`);
  });
});
