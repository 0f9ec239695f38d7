/**
 * The playground's log of a dependency that stops answering: one line when the outage starts,
 * naming what does not answer, one when it answers again; nothing per request between.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { outageLog } from '../../src/playground/outage-log.ts';
import type { ServerFailure } from '../../src/server/server-failure.ts';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED', syscall: 'connect' });
const unavailable = (): ServerFailure => ({
  reason: 'store_unavailable',
  source: 'scheme "bearer"',
  error: new Error("Stream isn't writeable and enableOfflineQueue options is false"),
});
const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(condition(), 'in time');
};

describe('outageLog', () => {
  it('one line per outage, naming the dependency and its cause; one when it answers again', async () => {
    let up = false;
    const lines: string[] = [];
    const log = outageLog({
      dependencies: [
        { name: 'postgres://app@db.internal/app', check: async () => {} },
        {
          name: 'redis://127.0.0.1:6390',
          check: async () => {
            if (!up) throw refused();
          },
        },
      ],
      probeIntervalMs: 10,
      log: (line) => lines.push(line),
    });
    for (let i = 0; i < 50; i++) log.onError(unavailable());
    await until(() => lines.length === 1);
    assert.match(
      lines[0]!,
      /^gatehouse: redis:\/\/127\.0\.0\.1:6390 does not answer \(Error ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:6390\); what needs it is answered 503 store_unavailable until it does$/,
    );
    for (let i = 0; i < 50; i++) log.onError(unavailable());
    await new Promise((r) => setTimeout(r, 100)); // ten probes that fail: still one line
    assert.equal(lines.length, 1, lines.join('\n'));

    up = true;
    await until(() => lines.length === 2);
    assert.match(
      lines[1]!,
      /^gatehouse: redis:\/\/127\.0\.0\.1:6390 answers again after \d+(\.\d)? s \(100 answers were 503 store_unavailable\)$/,
    );

    up = false; // a second outage: its own line
    log.onError(unavailable());
    await until(() => lines.length === 3);
    assert.match(lines[2]!, /does not answer/);
    log.close();
  });

  it('a failure while every dependency answers (a blip) is logged as itself; other failures each time', async () => {
    const lines: string[] = [];
    const log = outageLog({
      dependencies: [{ name: 'redis://127.0.0.1:6390', check: async () => {} }],
      probeIntervalMs: 10,
      log: (line) => lines.push(line),
    });
    log.onError(unavailable());
    await until(() => lines.length === 1);
    assert.match(lines[0]!, /^gatehouse: store_unavailable from scheme "bearer": Error: Stream isn't writeable/);
    log.onError({ reason: 'internal_error', source: 'playground', error: new TypeError('a bug') });
    log.onError({ reason: 'internal_error', source: 'playground', error: new TypeError('a bug') });
    assert.equal(lines.length, 3);
    assert.match(lines[2]!, /^gatehouse: internal_error from playground: TypeError at /);
    log.close();
  });
});
