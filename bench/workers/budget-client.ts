// 50 workers share a fixed amount of work (500 successful requests) against the budget server. argv: variant origin
// Every client keeps its default of throwing on an HTTP error: ky retries only a thrown HTTPError, so
// with throwHttpErrors: false it would never retry (nor wait for Retry-After) and the worker loop
// below would hammer the server in its place. A request that still fails after its retries counts
// as not done, and the worker tries again.
import axios from 'axios';
import axiosRetry from 'axios-retry';
import got from 'got';
import ky from 'ky';
import { createClient } from '../../src/client/index.ts';

const [variant, origin] = process.argv.slice(2) as [string, string];
const WORKERS = 50;
const WORK = 500;
let send: () => Promise<boolean>;

if (variant === 'gatehouse') {
  const client = createClient({ retry: { limit: 10 } });
  send = async () => (await client.get(`${origin}/work`)).status === 200;
} else if (variant === 'ky') {
  const api = ky.extend({ retry: { limit: 10, statusCodes: [429] } });
  send = async () => (await api.get(`${origin}/work`)).status === 200;
} else if (variant === 'got') {
  const api = got.extend({ retry: { limit: 10, statusCodes: [429] } });
  send = async () => (await api.get(`${origin}/work`)).statusCode === 200;
} else {
  // axios-retry as its README shows, retrying 429s with exponential delay.
  const api = axios.create();
  axiosRetry(api, {
    retries: 10,
    retryCondition: (error) => error.response?.status === 429,
    retryDelay: axiosRetry.exponentialDelay,
  });
  send = async () => (await api.get(`${origin}/work`)).status === 200;
}

let remaining = WORK;
const started = Date.now();
await Promise.all(
  Array.from({ length: WORKERS }, async () => {
    while (remaining > 0) {
      remaining--;
      if (!(await send().catch(() => false))) remaining++;
    }
  }),
);
const ms = Date.now() - started;
const stats = (await (await fetch(`${origin}/stats`)).json()) as { sent: number; status429: number };
process.stdout.write(JSON.stringify({ ...stats, ms }));
process.exit(0);
