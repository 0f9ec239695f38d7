/** Exponential backoff with full jitter against /flaky/2. */
import { createClient } from '../../client/index.ts';
import type { RetryEvent } from '../../client/retry.ts';
import type { ScenarioScript } from './scenario.ts';

export const retryBackoff: ScenarioScript = {
  title: 'Retry with exponential backoff: /flaky/2 fails twice, then answers',
  step: async ({ playground, transport, story }) => {
    const retries: RetryEvent[] = [];
    const client = createClient({
      baseUrl: playground.url,
      fetch: transport,
      retry: { baseDelay: 200 },
      onRetry: (e) => retries.push(e),
    });
    const response = await client.get(`flaky/2?id=demo-${Date.now()}`);
    story.push(
      `Retried after ${retries.map((r) => `${r.delayMs} ms`).join(' and ')} (full jitter under 200 ms × 2ⁿ): ${response.status}.`,
    );
    story.push('A POST would not be retried without an Idempotency-Key: it may already have been applied.');
    return response.status === 200 && retries.length === 2;
  },
};
