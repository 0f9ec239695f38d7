// One HTTP client under test: `concurrency` loops send GETs for `ms` milliseconds; prints the count,
// the rate and the CPU time spent per request.
// argv: variant url concurrency ms
import axios from 'axios';
import got from 'got';
import ky from 'ky';
import { Agent, request } from 'undici';
import { bearer, createClient } from '../../src/client/index.ts';
import { undiciTransport } from '../../src/client/undici-transport.ts';

const [variant, url, concurrencyText, msText] = process.argv.slice(2) as [string, string, string, string];
const concurrency = Number(concurrencyText);
const ms = Number(msText);
const WARM_UP_MS = Math.min(1000, ms / 2);
const token = 'bench-token-0123456789abcdef';
const headers = { authorization: `Bearer ${token}` };

let send: () => Promise<unknown>;
switch (variant) {
  case 'fetch':
    send = async () => (await fetch(url, { headers })).text();
    break;
  case 'fetchThin':
    // Calibration: the least a wrapper over fetch does per call (its own URL and Headers, the
    // credential set on them), with no retries, redirects or errors of its own.
    send = async () => {
      const init = { method: 'GET', headers: new Headers(headers), redirect: 'manual' as const };
      init.headers.set('authorization', headers.authorization);
      return (await fetch(new URL(url), init)).text();
    };
    break;
  case 'undiciRaw': {
    const dispatcher = new Agent({ connections: concurrency });
    send = async () => (await request(url, { headers, dispatcher })).body.text();
    break;
  }
  case 'gatehouse': {
    // Bearer auth and the default retry policy on, no failures to recover from.
    const client = createClient({ auth: bearer(token) });
    send = async () => (await client.get(url)).text();
    break;
  }
  case 'gatehouseUndici': {
    // The same client and policy, sending through an undici Agent instead of fetch.
    const dispatcher = new Agent({ connections: concurrency });
    const client = createClient({ auth: bearer(token), fetch: undiciTransport({ dispatcher }) });
    send = async () => (await client.get(url)).text();
    break;
  }
  case 'ky': {
    const api = ky.create({ headers, retry: 2 });
    send = () => api.get(url).text();
    break;
  }
  case 'got': {
    const api = got.extend({ headers, retry: { limit: 2 } });
    send = () => api.get(url).text();
    break;
  }
  case 'axios': {
    const api = axios.create({ headers, responseType: 'text' });
    send = async () => (await api.get(url)).data;
    break;
  }
  default:
    throw new Error(`unknown variant ${variant}`);
}

/** `concurrency` loops sending until `until` (a Date.now() time); the requests they completed. */
async function load(until: number): Promise<number> {
  let count = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await send();
        count++;
      }
    }),
  );
  return count;
}

// Warm up before the measured window: the connections opened, and the client's code compiled by the
// JIT under this very load (its compiler threads count in the process's CPU time), so the window
// measures each client in its steady state rather than how much code it has to compile.
await load(Date.now() + WARM_UP_MS);
const cpu = process.cpuUsage();
const started = Date.now();
const count = await load(started + ms);
// CPU this process spent per request (every thread: the garbage collector's helpers too).
const used = process.cpuUsage(cpu);
process.stdout.write(
  JSON.stringify({ count, rps: count / ((Date.now() - started) / 1000), cpuUs: (used.user + used.system) / count }),
);
process.exit(0);
