/**
 * The chaos soak: POSTs with an Idempotency-Key through the playground's faults. Each order is
 * sent until it has an answer (the client retries; the caller tries again with the same key when
 * the client gives up), then the server is asked how many times each order took effect.
 */
import { randomUUID } from 'node:crypto';
import { createClient, GatehouseError } from '../../src/client/index.ts';
import { startPlayground } from '../../src/playground/serve.ts';

export interface ChaosReport {
  orders: number;
  succeeded: number;
  /** Times a caller had to try an order again after the client surfaced an error. */
  callerRetries: number;
  /** What the client surfaced, by error name: typed errors, or the body stream dying mid-read. */
  surfaced: Record<string, number>;
  /** How many orders took effect 0, 1 or more times. */
  applied: Record<string, number>;
  ms: number;
}

export async function chaos(orders: number, concurrency = 50, chance = 0.3): Promise<ChaosReport> {
  const playground = await startPlayground();
  const client = createClient({
    baseUrl: `${playground.url}/`,
    retry: { limit: 4, baseDelay: 2, maxDelay: 20, statusCodes: [408, 409, 429, 500, 502, 503, 504] },
    timeout: { attempt: 3000 },
  });
  const surfaced: Record<string, number> = {};
  let succeeded = 0;
  let callerRetries = 0;
  const keys: string[] = [];
  let next = 0;
  const started = Date.now();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < orders) {
          next++;
          const key = randomUUID();
          keys.push(key);
          for (let attempt = 0; attempt < 20; attempt++) {
            try {
              const response = await client.post(`orders?chaos=${chance}`, {
                headers: { 'idempotency-key': key, 'content-type': 'application/json' },
                body: JSON.stringify({ item: 'widget', key }),
              });
              const body = (await response.json()) as { order: string };
              if (body.order !== key) throw new Error('answer for another order');
              succeeded++;
              break;
            } catch (error) {
              const name = error instanceof GatehouseError ? error.name : `${(error as Error).name} (untyped)`;
              surfaced[name] = (surfaced[name] ?? 0) + 1;
              callerRetries++;
            }
          }
        }
      }),
    );
    const applied: Record<string, number> = {};
    for (let i = 0; i < keys.length; i += 200) {
      const batch = await Promise.all(
        keys
          .slice(i, i + 200)
          .map(
            async (key) =>
              ((await (await fetch(`${playground.url}/orders/${key}`)).json()) as { applied: number }).applied,
          ),
      );
      for (const count of batch) applied[String(Math.min(count, 2))] = (applied[String(Math.min(count, 2))] ?? 0) + 1;
    }
    return { orders: keys.length, succeeded, callerRetries, surfaced, applied, ms: Date.now() - started };
  } finally {
    await playground.close();
  }
}
