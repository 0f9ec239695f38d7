/** The behaviour every adapter's rateLimit() owes, over a real socket: the fields, 429, Redis shared. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { parseRateLimit } from '../../src/http/index.ts';
import type { App } from './adapter-apps.ts';
import type { RateLimitedApp } from './rate-limit-apps.ts';
import { connectRedis } from './services.ts';

export function describeRateLimitOverSocket(name: string, make: RateLimitedApp): void {
  describe(`rateLimit() on ${name}, over a socket`, () => {
    const apps: App[] = [];
    after(() => Promise.all(apps.map((a) => a.close())));
    const start = async (options: Parameters<RateLimitedApp>[0], handled = { count: 0 }) => {
      const app = await make(options, handled);
      apps.push(app);
      return app;
    };

    it('sends the fields on every answer, then 429 rate_limited with Retry-After past the budget', async () => {
      const handled = { count: 0 };
      const app = await start({ points: 3, durationSeconds: 30, backend: { memory: true } }, handled);
      const seen: Array<number | undefined> = [];
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${app.url}/`);
        assert.equal(response.status, 200);
        assert.equal(await response.text(), 'ok');
        assert.equal(response.headers.get('ratelimit-policy'), '"default";q=3;w=30');
        assert.match(response.headers.get('ratelimit')!, /^"default";r=\d;t=(29|30)$/);
        seen.push(parseRateLimit(response.headers)?.remaining);
      }
      assert.deepEqual(seen, [2, 1, 0]);
      const refused = await fetch(`${app.url}/`);
      assert.equal(refused.status, 429);
      assert.match(refused.headers.get('content-type')!, /application\/problem\+json/);
      assert.equal(((await refused.json()) as { code?: string; type: string }).type.endsWith('rate_limited'), true);
      assert.match(refused.headers.get('retry-after')!, /^(29|30)$/);
      assert.match(refused.headers.get('ratelimit')!, /^"default";r=0;t=(29|30)$/);
      assert.equal(refused.headers.get('ratelimit-policy'), '"default";q=3;w=30');
      assert.equal(handled.count, 3, 'the handler never ran past the budget');
    });

    it('keys on what key() returns: another key has its own budget', async () => {
      const app = await start({
        points: 1,
        durationSeconds: 30,
        backend: { memory: true },
        key: (request) => request.header('x-tenant') ?? 'none',
      });
      const as = (tenant: string) => fetch(`${app.url}/`, { headers: { 'x-tenant': tenant } });
      assert.equal((await as('a')).status, 200);
      assert.equal((await as('a')).status, 429);
      assert.equal((await as('b')).status, 200);
    });

    it('shares one budget across two instances through Redis', async (t) => {
      const redis = await connectRedis(t);
      if (!redis) return;
      try {
        const prefix = `rl_${randomUUID().replaceAll('-', '')}`;
        const options = { points: 3, durationSeconds: 30, backend: { redis }, prefix };
        const [one, two] = [await start(options), await start(options)];
        const statuses = [];
        for (const app of [one, two, one, two]) statuses.push((await fetch(`${app.url}/`)).status);
        assert.deepEqual(statuses, [200, 200, 200, 429]);
      } finally {
        redis.disconnect();
      }
    });

    it('answers 503 problem+json when the store fails, never running the handler', async (t) => {
      const redis = await connectRedis(t);
      if (!redis) return;
      redis.disconnect(); // a store that is down
      const handled = { count: 0 };
      const app = await start({ points: 3, durationSeconds: 30, backend: { redis } }, handled);
      const original = console.error;
      console.error = () => {};
      try {
        const response = await fetch(`${app.url}/`);
        assert.equal(response.status, 503);
        assert.match(response.headers.get('content-type')!, /application\/problem\+json/);
      } finally {
        console.error = original;
      }
      assert.equal(handled.count, 0);
    });
  });
}
