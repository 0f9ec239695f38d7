import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fuzz } from '../support/fuzz-targets.ts';

describe('fuzzing (short; npm run fuzz runs 100,000 cases per target)', () => {
  // In npm test the files run in parallel on two cores, so the bound is 50 ms (a backtracking
  // blow-up takes seconds); npm run fuzz, alone on the machine, holds every case to 10 ms.
  it('no parser and no guard input throws or takes more than 50 ms', async () => {
    const report = await fuzz(2000, 50);
    assert.equal(report.length, 7);
    for (const row of report) assert.equal(row.runs, 2000);
  });
});
