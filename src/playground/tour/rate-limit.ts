/** A 429 with Retry-After (another client spent the budget), waited out before the retry. */
import { createClient } from '../../client/index.ts';
import type { RetryEvent } from '../../client/retry.ts';
import type { ScenarioScript } from './scenario.ts';

export const rateLimit: ScenarioScript = {
  title: '429 with Retry-After: waited out, then answered',
  step: async ({ playground, transport, story }) => {
    const retries: RetryEvent[] = [];
    const client = createClient({ baseUrl: playground.url, fetch: transport, onRetry: (e) => retries.push(e) });
    const key = `demo-${Date.now()}`;
    // Another client spends the budget: this one has seen no RateLimit field saying none remain
    // (it would have held its request until the reset rather than send it into a 429).
    await transport(new Request(`${playground.url}/limited?budget=1&window=1&key=${key}`)).then((r) =>
      r.body?.cancel(),
    );
    const started = Date.now();
    const response = await client.get(`limited?budget=1&window=1&key=${key}`);
    story.push(
      `The server said Retry-After: ${Math.round((retries[0]?.delayMs ?? 0) / 1000)}; the client waited ${Date.now() - started} ms (never sooner), and every other request to that origin waited with it.`,
    );
    return response.status === 200 && retries[0]?.serverAsked === true;
  },
};
