import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runFleet } from '../support/fleet.ts';
import { connectRedis, requirePostgres } from '../support/services.ts';

describe('two playground processes sharing Postgres and Redis, under load (short; npm run soak runs 60 s)', () => {
  it('refresh races, revocations, lockouts and idempotent POSTs hold across both while 32 readers keep them busy', async (t) => {
    if (!(await requirePostgres(t))) return;
    const redis = await connectRedis(t);
    if (!redis) return;
    redis.disconnect();
    const report = await runFleet({ durationMs: 1, readers: 32 });
    assert.deepStrictEqual(report.problems, []);
    assert.equal(report.rounds, 1);
    assert.equal(report.refreshesWithOneLiveSuccessor, report.refreshesRaced);
    assert.equal(report.lockouts, 1);
    assert.ok((report.reads['200'] ?? 0) > 50, `background load too light: ${JSON.stringify(report.reads)}`);
  });
});
