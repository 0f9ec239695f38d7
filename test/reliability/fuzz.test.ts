import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fuzz } from '../support/fuzz-targets.ts';

describe('fuzzing (short; npm run fuzz runs 100,000 cases per target)', () => {
  it('no parser and no guard input throws or takes more than 10 ms', async () => {
    const report = await fuzz(2000);
    assert.equal(report.length, 7);
    for (const row of report) assert.equal(row.runs, 2000);
  });
});
