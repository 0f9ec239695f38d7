import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chaos } from '../support/chaos.ts';

describe('idempotent()', () => {
  it('refuses a malformed key with 400 idempotency_key_invalid, without running the request', async () => {
    const { idempotent, memoryStore } = await import('../../src/server/index.ts');
    const ledger = memoryStore().idempotency;
    for (const key of ['', 'has space', 'x'.repeat(256), 'caf\u00e9']) {
      const answer = await idempotent({ ledger }, { method: 'POST', target: '/x', key, body: 'b' }, async () =>
        assert.fail(`ran with key ${JSON.stringify(key)}`),
      );
      assert.deepStrictEqual([answer.status, JSON.parse(answer.body).code], [400, 'idempotency_key_invalid']);
    }
  });

  it('answers 409 while the first request with a key still runs, then replays its answer', async () => {
    const { idempotent, memoryStore } = await import('../../src/server/index.ts');
    const ledger = memoryStore().idempotency;
    let release!: () => void;
    const running = idempotent({ ledger }, { method: 'POST', target: '/x', key: 'k1', body: 'b' }, async () => {
      await new Promise<void>((r) => {
        release = r;
      });
      return { status: 201, headers: {}, body: 'made' };
    });
    await new Promise((r) => setTimeout(r, 10));
    const duplicate = await idempotent({ ledger }, { method: 'POST', target: '/x', key: 'k1', body: 'b' }, async () =>
      assert.fail('ran twice'),
    );
    assert.deepStrictEqual([duplicate.status, duplicate.headers['retry-after']], [409, '1']);
    assert.equal(JSON.parse(duplicate.body).code, 'idempotency_key_in_use');
    release();
    assert.equal((await running).body, 'made');
    const replay = await idempotent({ ledger }, { method: 'POST', target: '/x', key: 'k1', body: 'b' }, async () =>
      assert.fail('ran twice'),
    );
    assert.deepStrictEqual([replay.status, replay.body, replay.replayed], [201, 'made', true]);
  });

  it('lets a retry run again after a server error, which took no effect', async () => {
    const { idempotent, memoryStore } = await import('../../src/server/index.ts');
    const ledger = memoryStore().idempotency;
    let runs = 0;
    const run = async () => ({ status: ++runs === 1 ? 500 : 201, headers: {}, body: String(runs) });
    assert.equal(
      (await idempotent({ ledger }, { method: 'POST', target: '/x', key: 'k2', body: '' }, run)).status,
      500,
    );
    assert.equal(
      (await idempotent({ ledger }, { method: 'POST', target: '/x', key: 'k2', body: '' }, run)).status,
      201,
    );
    assert.equal(runs, 2);
  });
});

describe('chaos (short; npm run soak sends 10,000)', () => {
  it('POSTs with an Idempotency-Key through resets, 503s, 429s, slow and cut bodies take effect exactly once', async () => {
    const report = await chaos(400);
    assert.equal(report.succeeded, 400, JSON.stringify(report));
    assert.deepStrictEqual(report.applied, { 1: 400 }, 'every order took effect exactly once: none lost, none doubled');
    // Every error that reached the caller is typed: a body cut mid-read is a BodyCutError, not undici's TypeError.
    for (const name of Object.keys(report.surfaced)) assert.doesNotMatch(name, /\(untyped\)/, `surfaced ${name}`);
    assert.ok(
      (report.surfaced['BodyCutError'] ?? 0) > 0,
      `cut bodies were exercised: ${JSON.stringify(report.surfaced)}`,
    );
  });

  it('answers a replay with the first answer, and another body under the same key 422', async () => {
    const { startPlayground } = await import('../../src/playground/serve.ts');
    const playground = await startPlayground();
    try {
      const post = (body: string) =>
        fetch(`${playground.url}/orders`, {
          method: 'POST',
          headers: { 'idempotency-key': 'dup-key-1', 'content-type': 'application/json' },
          body,
        });
      const first = await post('{"a":1}');
      assert.equal(first.status, 201);
      const replay = await post('{"a":1}');
      assert.deepStrictEqual([replay.status, replay.headers.get('idempotent-replayed')], [201, 'true']);
      const reused = await post('{"a":2}');
      assert.deepStrictEqual([reused.status, (await reused.json()).code], [422, 'idempotency_key_reused']);
      assert.equal((await (await fetch(`${playground.url}/orders/dup-key-1`)).json()).applied, 1);
    } finally {
      await playground.close();
    }
  });
});
