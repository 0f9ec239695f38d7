// 429 with Retry-After: waited out when reasonable, refused at once when not.
import { createClient, RateLimitedError } from '../src/client/index.ts';
import { startExampleServer } from './support/example-server.ts';

const server = await startExampleServer();
try {
  const client = createClient({
    baseUrl: server.url,
    onRetry: (e) => console.log(`  ${e.cause}: the server asked to wait ${e.delayMs} ms (Retry-After)`),
  });
  const started = Date.now();
  console.log('→', await (await client.get('rate-limited')).json(), `after ${Date.now() - started} ms`);

  const error = await client.get('rate-limited-long').catch((e: unknown) => e);
  if (!(error instanceof RateLimitedError)) throw error;
  console.log('an hour-long Retry-After →', error.code, `retryAfterMs=${error.retryAfterMs}`);
} finally {
  await server.close();
}
