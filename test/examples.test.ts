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
  'session-headers.ts': [/'User-Agent': 'MyApp\/1.0'/, /cookies: 'session=lab-session'/],
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

describe('examples', () => {
  for (const [file, patterns] of Object.entries(expectations)) {
    it(`${file} runs and shows its scenario`, async () => {
      const { stdout } = await run(process.execPath, [join(dir, file)], { timeout: 30_000 });
      for (const pattern of patterns) assert.match(stdout, pattern);
    });
  }
});
