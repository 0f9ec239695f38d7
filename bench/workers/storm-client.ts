// 1,000 concurrent requests with an expired token, through one client. argv: variant origin
import axios from 'axios';
import { createAuthRefresh } from 'axios-auth-refresh';
import ky from 'ky';
import { bearer, createClient, tokenSource } from '../../src/client/index.ts';

const [variant, origin] = process.argv.slice(2) as [string, string];
const N = 1000;
const newToken = async () =>
  ((await (await fetch(`${origin}/token`, { method: 'POST' })).json()) as { access_token: string }).access_token;
let send: () => Promise<boolean>;

if (variant === 'gatehouse') {
  let first = true;
  const source = tokenSource(async () => {
    if (first) {
      first = false;
      return 'stale';
    }
    return newToken();
  });
  await source.getToken();
  const client = createClient({ auth: bearer(source), throwHttpErrors: false, retry: false });
  send = async () => (await client.get(`${origin}/api`)).status === 200;
} else if (variant === 'axiosAuthRefresh') {
  // axios-auth-refresh as its README shows: an interceptor that refreshes on 401 and retries.
  const api = axios.create();
  let token = 'stale';
  api.interceptors.request.use((config) => {
    config.headers.Authorization = `Bearer ${token}`;
    return config;
  });
  createAuthRefresh(api as never, async (failed: { response: { config: { headers: Record<string, string> } } }) => {
    token = await newToken();
    failed.response.config.headers.Authorization = `Bearer ${token}`;
  });
  send = async () => {
    try {
      return (await api.get(`${origin}/api`)).status === 200;
    } catch {
      return false;
    }
  };
} else {
  // A ky afterResponse hook, written the way ky's documentation shows it (refresh on the first 401, ky.retry).
  let token = 'stale';
  const api = ky.extend({
    hooks: {
      beforeRequest: [({ request }) => request.headers.set('Authorization', `Bearer ${token}`)],
      afterResponse: [
        async ({ request, response, retryCount }) => {
          if (response.status === 401 && retryCount === 0) {
            token = await newToken();
            const headers = new Headers(request.headers);
            headers.set('Authorization', `Bearer ${token}`);
            return ky.retry({ request: new Request(request, { headers }), code: 'TOKEN_REFRESHED' });
          }
          return undefined;
        },
      ],
    },
    retry: { limit: 1 },
    throwHttpErrors: false,
  });
  send = async () => (await api.get(`${origin}/api`)).status === 200;
}

const started = Date.now();
const results = await Promise.all(Array.from({ length: N }, () => send().catch(() => false)));
const ms = Date.now() - started;
const { tokenCalls } = (await (await fetch(`${origin}/calls`)).json()) as { tokenCalls: number };
process.stdout.write(JSON.stringify({ tokenCalls, succeeded: results.filter(Boolean).length, ms }));
process.exit(0);
