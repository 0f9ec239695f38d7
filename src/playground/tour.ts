/**
 * The tour behind `gatehouse demo`: every scenario of the requests lab, walked through by the
 * Gatehouse client against the playground, then the server's refusals. Each scenario records
 * what was sent and what came back (secrets masked), says what the client did and why, and
 * checks that it behaved as documented.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileTokenStore } from '../client/file-store.ts';
import {
  basic,
  bearer,
  createClient,
  GatehouseError,
  HttpError,
  labSignature,
  oauth2ClientCredentials,
  RateLimitedError,
  UnauthorizedError,
} from '../client/index.ts';
import type { RetryEvent } from '../client/retry.ts';
import { CREDENTIAL_HEADERS, maskHeader } from '../http/index.ts';
import { DEMO } from './seed.ts';
import type { Playground } from './serve.ts';

export interface Exchange {
  sent: string;
  received: string;
}

export interface Scenario {
  title: string;
  exchanges: Exchange[];
  /** What the client (or server) did, and why. */
  story: string[];
  holds: boolean;
}

// Every credential field a request carries is shown (masked), then the few others the scenarios are about.
const SHOWN_REQUEST = [...CREDENTIAL_HEADERS, 'x-signature', 'idempotency-key', 'user-agent', 'x-team'];
const SHOWN_RESPONSE = ['www-authenticate', 'retry-after', 'ratelimit', 'set-cookie', 'location'];

/** Real fetch, writing down each exchange as it goes over the wire. */
function recorder(log: Exchange[]) {
  // Called as the client calls any fetch: (url, init).
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const sentHeaders = SHOWN_REQUEST.filter((h) => request.headers.has(h)).map(
      (h) => `  ${h}: ${maskHeader(h, request.headers.get(h)!)}`,
    );
    const response = await fetch(request);
    const receivedHeaders = SHOWN_RESPONSE.filter((h) => response.headers.has(h)).map(
      (h) => `  ${h}: ${maskHeader(h, response.headers.get(h)!)}`,
    );
    let code = '';
    if ((response.headers.get('content-type') ?? '').includes('json') && !response.ok) {
      const body = await response.clone().text();
      const match = /"(?:code|error)"\s*:\s*"([a-z_]+)"/.exec(body);
      if (match) code = `  (${match[1]})`;
    }
    log.push({
      sent: [
        `${request.method} ${url.pathname}${url.search.length > 60 ? `${url.search.slice(0, 60)}…` : url.search}`,
        ...sentHeaders,
      ].join('\n'),
      received: [`${response.status} ${response.statusText}${code}`, ...receivedHeaders].join('\n'),
    });
    return response;
  };
}

type Step = (ctx: {
  playground: Playground;
  log: Exchange[];
  story: string[];
  transport: ReturnType<typeof recorder>;
}) => Promise<boolean>;

const errorName = (error: unknown) =>
  error instanceof GatehouseError ? `${error.name} (${error.code})` : String(error);

const scenarios: Array<[string, Step]> = [
  [
    'Basic auth with the right password (httpbin /basic-auth)',
    async ({ playground, transport, story }) => {
      const client = createClient({ baseUrl: playground.url, fetch: transport, auth: basic('user', 'passwd') });
      const body = await (await client.get('basic-auth/user/passwd')).json();
      story.push('Sent Basic credentials (UTF-8, RFC 7617) with the first request; no 401 round trip.');
      return body.authenticated === true;
    },
  ],
  [
    'Basic auth with a wrong password',
    async ({ playground, transport, story, log }) => {
      const client = createClient({ baseUrl: playground.url, fetch: transport, auth: basic('user', 'wrong_password') });
      const error = await client.get('basic-auth/user/passwd').catch((e: unknown) => e);
      story.push(`Threw ${errorName(error)} at once: the same pair would fail again, so nothing was retried.`);
      return (
        error instanceof UnauthorizedError && error.challenges[0]?.params['realm'] === 'Fake Realm' && log.length === 1
      );
    },
  ],
  [
    'A Bearer token (httpbin /bearer)',
    async ({ playground, transport, story }) => {
      const client = createClient({
        baseUrl: playground.url,
        fetch: transport,
        auth: bearer('lab-static-token-0123456789'),
      });
      const body = await (await client.get('bearer')).json();
      story.push('Attached the token as Authorization: Bearer; the server echoed it (masked here).');
      return body.authenticated === true;
    },
  ],
  [
    'A token stored in a file, and reused by the next run',
    async ({ playground, transport, story, log }) => {
      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-demo-'));
      try {
        const run = () =>
          createClient({
            baseUrl: playground.url,
            fetch: transport,
            auth: bearer(
              oauth2ClientCredentials({
                tokenUrl: `${playground.url}/oauth/token`,
                clientId: DEMO.serviceClient.id,
                clientSecret: DEMO.serviceClient.secret,
                store: fileTokenStore(join(dir, 'tokens.json')),
                fetch: transport,
              }),
            ),
          });
        await run().get('api/me');
        await run().get('api/me');
        const tokenCalls = log.filter((e) => e.sent.startsWith('POST /oauth/token')).length;
        story.push(
          `The first run fetched a token (client_credentials) and wrote it to ${join(dir, 'tokens.json')} (mode 0600); the second read it back: ${tokenCalls} token request in all.`,
        );
        return tokenCalls === 1;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  ],
  [
    'Refresh on 401: the token was revoked, the client refreshes once and retries',
    async ({ playground, transport, story }) => {
      let refreshes = 0;
      const tokens = oauth2ClientCredentials({
        tokenUrl: `${playground.url}/oauth/token`,
        clientId: DEMO.serviceClient.id,
        clientSecret: DEMO.serviceClient.secret,
        fetch: transport,
      });
      const client = createClient({
        baseUrl: playground.url,
        fetch: transport,
        auth: bearer(tokens),
        onRefresh: () => refreshes++,
      });
      await client.get('api/me');
      const current = await tokens.getToken();
      await fetch(`${playground.url}/oauth/revoke`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${btoa(`${DEMO.serviceClient.id}:${DEMO.serviceClient.secret}`)}`,
        },
        body: new URLSearchParams({ token: current.accessToken }),
      });
      story.push('(The server revoked the access token behind the client’s back.)');
      const response = await client.get('api/me');
      story.push(
        `Got 401 token_revoked, fetched one new token (${refreshes} refresh), and sent the request again: ${response.status}.`,
      );
      return response.status === 200 && refreshes === 1;
    },
  ],
  [
    'Retry with exponential backoff: /flaky/2 fails twice, then answers',
    async ({ playground, transport, story }) => {
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
  ],
  [
    'A session: default headers on every request, cookies kept',
    async ({ playground, transport, story }) => {
      const session = createClient({
        baseUrl: playground.url,
        fetch: transport,
        headers: { 'User-Agent': 'MyApp/1.0', 'X-Team': 'platform' },
        cookies: true,
      });
      const { headers } = await (await session.get('headers')).json();
      await session.get('cookies/set?session=demo-session-value');
      const { cookies } = await (await session.get('cookies')).json();
      story.push('Sent the default headers with each request, and the cookie the server set with the next.');
      return (
        headers['User-Agent'] === 'MyApp/1.0' &&
        headers['X-Team'] === 'platform' &&
        cookies.session === 'demo-session-value'
      );
    },
  ],
  [
    'A signed request (X-API-Key, X-Timestamp, X-Nonce, X-Signature)',
    async ({ playground, transport, story }) => {
      const client = createClient({
        baseUrl: playground.url,
        fetch: transport,
        auth: labSignature(DEMO.signing.keyId, DEMO.signing.secret),
      });
      const body = await (
        await client.post('api/signed', {
          body: JSON.stringify({ amount: 5 }),
          headers: { 'content-type': 'application/json', 'idempotency-key': 'demo-order-1' },
        })
      ).json();
      story.push(
        'Signed the key id, method, host, path, timestamp, a fresh nonce and the body digest with HMAC-SHA256; the secret never left the client.',
      );
      return body.verified === true;
    },
  ],
  [
    '429 with Retry-After: waited out, then answered',
    async ({ playground, transport, story }) => {
      const retries: RetryEvent[] = [];
      const client = createClient({ baseUrl: playground.url, fetch: transport, onRetry: (e) => retries.push(e) });
      const key = `demo-${Date.now()}`;
      await client.get(`limited?budget=1&window=1&key=${key}`);
      const started = Date.now();
      const response = await client.get(`limited?budget=1&window=1&key=${key}`);
      story.push(
        `The server said Retry-After: ${Math.round((retries[0]?.delayMs ?? 0) / 1000)}; the client waited ${Date.now() - started} ms (never sooner), and every other request to that origin waited with it.`,
      );
      return response.status === 200 && retries[0]?.serverAsked === true;
    },
  ],
  [
    'The complete client: 401, 429 too long, 5xx, a refused connection, a timeout',
    async ({ playground, transport, story }) => {
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
  ],
  [
    'Server refusals: missing, malformed, wrong scheme, expired, insufficient scope',
    async ({ playground, transport, story }) => {
      const client = createClient({ baseUrl: playground.url, fetch: transport, throwHttpErrors: false, retry: false });
      const expired = (await (await fetch(`${playground.url}/tokens/expired`)).json()).access_token as string;
      const alice = (await (await fetch(`${playground.url}/tokens/valid`)).json()).access_token as string;
      const answers = [
        await client.get('api/me'),
        await client.get('api/me', { headers: { authorization: 'Bearer' } }),
        await client.get('api/me', {
          headers: { authorization: 'Digest username="user", realm="r", nonce="n", uri="/api/me", response="0a4f"' },
        }),
        await client.get('api/me', { headers: { authorization: `Bearer ${expired}` } }),
        await client.get('api/admin', { headers: { authorization: `Bearer ${alice}` } }),
      ];
      const codes = await Promise.all(answers.map(async (r) => `${r.status} ${(await r.json()).code}`));
      story.push(`The guard answered ${codes.join('; ')}.`);
      return (
        codes.join() ===
        '401 credentials_missing,400 credentials_malformed,401 scheme_unsupported,401 token_expired,403 insufficient_scope'
      );
    },
  ],
  [
    'Locked out: repeated wrong passwords at the token endpoint',
    async ({ playground, transport, story }) => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const response = await transport(
          new Request(`${playground.url}/oauth/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({
              grant_type: 'password',
              client_id: DEMO.publicClient,
              username: 'admin',
              password: `guess-${i}`,
            }),
          }),
        );
        statuses.push(response.status);
      }
      story.push(
        `Five wrong passwords got 400 invalid_grant; the sixth attempt got ${statuses[5]} locked_out with Retry-After, whatever the password.`,
      );
      return statuses.slice(0, 5).every((s) => s === 400) && statuses[5] === 429;
    },
  ],
  [
    'Refresh-token reuse: a rotated token presented again revokes its family',
    async ({ playground, transport, story }) => {
      const form = (body: Record<string, string>) =>
        transport(
          new Request(`${playground.url}/oauth/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(body),
          }),
        ).then((r) => r.json());
      const login = await form({
        grant_type: 'password',
        client_id: DEMO.publicClient,
        username: 'alice',
        password: 'alice-password',
      });
      const rotated = await form({
        grant_type: 'refresh_token',
        client_id: DEMO.publicClient,
        refresh_token: login.refresh_token,
      });
      await new Promise((r) => setTimeout(r, 1100)); // past the playground's 1 s grace window
      const reuse = await form({
        grant_type: 'refresh_token',
        client_id: DEMO.publicClient,
        refresh_token: login.refresh_token,
      });
      const legit = await form({
        grant_type: 'refresh_token',
        client_id: DEMO.publicClient,
        refresh_token: rotated.refresh_token,
      });
      story.push(
        'The old refresh token came back after its rotation: the server revoked the whole family, so the newer token died too (RFC 9700 §4.14.2).',
      );
      return (
        typeof rotated.refresh_token === 'string' && reuse.error === 'invalid_grant' && legit.error === 'invalid_grant'
      );
    },
  ],
];

export async function runTour(
  playground: Playground,
  onScenario?: (scenario: Scenario, index: number) => void,
): Promise<Scenario[]> {
  const results: Scenario[] = [];
  for (const [title, step] of scenarios) {
    const log: Exchange[] = [];
    const story: string[] = [];
    let holds = false;
    try {
      holds = await step({ playground, log, story, transport: recorder(log) });
    } catch (error) {
      story.push(
        `Unexpected: ${error instanceof HttpError || error instanceof RateLimitedError ? error.message : errorName(error)}`,
      );
    }
    const scenario = { title, exchanges: log, story, holds };
    results.push(scenario);
    onScenario?.(scenario, results.length - 1);
  }
  return results;
}
