/** One error class for each of 401, 429 too long, 5xx, a refused connection and a timeout. */
import { createClient, GatehouseError } from '../../client/index.ts';
import type { ScenarioScript } from './scenario.ts';

export const completeClient: ScenarioScript = {
  title: 'The complete client: 401, 429 too long, 5xx, a refused connection, a timeout',
  step: async ({ playground, transport, story }) => {
    const outcomes: string[] = [];
    for (const path of [
      'status/401',
      'limited?budget=0&window=3600',
      'status/500',
      'fault/slow-headers/2000',
      'http://127.0.0.1:9/',
    ]) {
      // A client each: the 429's hour-long cooldown would otherwise (rightly) hold back the rest.
      const client = createClient({
        baseUrl: playground.url,
        fetch: transport,
        retry: { limit: 1, baseDelay: 50 },
        timeout: { attempt: 300, total: 2000 },
      });
      const error = await client.get(path).catch((e: unknown) => e);
      outcomes.push(error instanceof GatehouseError ? error.name : 'no error');
    }
    story.push(`Threw, in turn: ${outcomes.join(', ')}.`);
    return outcomes.join() === 'UnauthorizedError,RateLimitedError,HttpError,TimeoutError,NetworkError';
  },
};
