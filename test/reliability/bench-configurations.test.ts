/**
 * The benchmark's routes (bench/workers/routes.ts) refuse a configuration they do not make, rather
 * than measure no authentication under the name asked for. `spinNus` (a handler that burns N µs
 * first) is made on node:http only: on Express, Fastify and Hono the name passed the check and the
 * plain handler was measured, without the spin, as that calibration row.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { protectedRoute } from '../../bench/workers/routes.ts';

describe('bench: a configuration a framework has no route for', () => {
  it('spinNus off node:http is an error naming the configuration', async () => {
    for (const framework of ['express', 'fastify', 'hono'])
      await assert.rejects(protectedRoute(framework, 'spin2us'), /spin2us/, framework);
  });

  it('spinNus on node:http is still made', async () => {
    const { route } = await protectedRoute('node', 'spin2us');
    assert.equal(route.framework, 'node');
  });
});
