import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { rateLimit } from '../../../src/adapters/hono/index.ts';
import { honoLimited } from '../../support/rate-limit-apps.ts';
import { describeRateLimitOverSocket } from '../../support/rate-limit-over-socket.ts';

describeRateLimitOverSocket('Hono', honoLimited);

describe('rateLimit() on Hono, in-process', () => {
  it('sends the fields on an answer a handler passed through from fetch (immutable headers)', async () => {
    const upstream = await fetch('data:text/plain,passed');
    const app = new Hono();
    app.use(rateLimit({ points: 2, durationSeconds: 60, backend: { memory: true } }));
    app.get('/', () => upstream);
    const response = await app.request('/');
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'passed');
    assert.equal(response.headers.get('ratelimit'), '"default";r=1;t=60');
  });
});
