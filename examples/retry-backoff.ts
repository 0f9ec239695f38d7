// Retry with exponential backoff and full jitter: /flaky answers 503 twice, then 200.
import { createClient } from '../src/client/index.ts';
import { startExampleServer } from './support/example-server.ts';

const server = await startExampleServer();
try {
  const client = createClient({
    baseUrl: server.url,
    retry: { limit: 3, baseDelay: 200, maxDelay: 2000 },
    onRetry: (e) => console.log(`  attempt ${e.attempt} got ${e.cause}; retrying in ${e.delayMs} ms`),
  });
  console.log('→', await (await client.get('flaky')).json());

  // A POST is not retried unless it carries an Idempotency-Key (retry.idempotencyKey adds one).
  const safe = createClient({ baseUrl: server.url, retry: { baseDelay: 100, idempotencyKey: true } });
  console.log('POST with an Idempotency-Key →', (await safe.post('flaky', { body: '{}' })).status);
} finally {
  await server.close();
}
