/** Every example under examples/ runs and shows what its scenario is about. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const dir = join(import.meta.dirname, '../examples');

const expectations: Record<string, RegExp[]> = {
  'basic-auth.ts': [
    /right password → \{ authenticated: true/,
    /wrong password → 401 ERR_GATEHOUSE_UNAUTHORIZED/,
    /Basic realm="Fake Realm"/,
  ],
  'bearer-token.ts': [/with a token → \{ authenticated: true/, /without → 401 challenge: Bearer/],
  'stored-token.ts': [/token requests so far: 1\n/, /recovered: true/, /token requests now: 2\n/],
  'retry-backoff.ts': [
    /attempt 1 got 503; retrying/,
    /attempt 2 got 503; retrying/,
    /→ \{ ok: true, attempt: 3 \}/,
    /POST with an Idempotency-Key → 200/,
  ],
  'session-headers.ts': [/'User-Agent': 'MyApp\/1.0'/, /cookies: 'session=example-session'/],
  'signed-request.ts': [/GET {2}→ \{ verified: true \}/, /POST → \{ verified: true \}/],
  'rate-limit.ts': [/429: the server asked to wait 1000 ms/, /ERR_GATEHOUSE_RATE_LIMITED retryAfterMs=3600000/],
  'complete-client.ts': [
    /401 +→ UnauthorizedError 401/,
    /429 with Retry-After → 200 OK/,
    /500 +→ HttpError 500/,
    /timeout +→ TimeoutError/,
    /connection refused +→ NetworkError/,
    /200 +→ 200 OK/,
  ],
};

// The four server examples answer the same six situations the same way, whatever the framework.
for (const framework of ['node', 'express', 'fastify', 'hono']) {
  expectations[`server-${framework}.ts`] = [
    /# no credentials: GET \/me\nHTTP 401\nWWW-Authenticate: Bearer realm="example", Basic realm="example", charset="UTF-8"\n.*"code":"credentials_missing"/,
    /# malformed: GET \/me\nHTTP 400\nWWW-Authenticate: Bearer realm="example", error="invalid_request"/,
    /# wrong password: GET \/me\nHTTP 401\n.*\n.*"code":"credentials_invalid"/,
    /# expired token: GET \/me\nHTTP 401\nWWW-Authenticate: Bearer realm="example", error="invalid_token", error_description="The access token expired"/,
    /# missing scope: GET \/admin\nHTTP 403\nWWW-Authenticate: Bearer realm="example", error="insufficient_scope", scope="admin"/,
    /# right password: GET \/me\nHTTP 200\n\{"hello":"u-alice"\}/,
  ];
}

describe('examples', () => {
  for (const [file, patterns] of Object.entries(expectations)) {
    it(`${file} runs and shows its scenario`, async () => {
      const { stdout } = await run(process.execPath, [join(dir, file)], { timeout: 30_000 });
      for (const pattern of patterns) assert.match(stdout, pattern);
    });
  }
});
