/**
 * Every output a user or a log could see — demo, doctor reports, client errors, server
 * refusals, CLI output — searched for the secrets that went in. Zero hits.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspect, promisify } from 'node:util';
import { apiKey, basic, bearer, createClient, hmacSignature, oauth2ClientCredentials } from '../../src/client/index.ts';
import { diagnose, renderMarkdown, renderTerminal } from '../../src/doctor/index.ts';
import { DEMO } from '../../src/playground/seed.ts';
import { type Playground, startPlayground } from '../../src/playground/serve.ts';

const main = join(import.meta.dirname, '../../src/cli/main.ts');
const run = promisify(execFile);

const SECRETS = {
  token: 'leak-test-token-7f3a9c2e51b84d06aa',
  password: 'leak-test-password-93bd7c',
  apiKey: 'gh_leaktest0001_leak-test-api-key-xxxxxxxxxxxxxxxxxxxxxxxxx',
  clientSecret: 'leak-test-client-secret-55aa',
  signingSecret: 'leak-test-signing-secret-0c1d',
};
const DEMO_SECRETS = [
  DEMO.serviceClient.secret,
  DEMO.signing.secret,
  'alice-password',
  'admin-password',
  DEMO.apiKey.key,
];

function assertClean(label: string, text: string, secrets: string[]): void {
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `${label} contains a secret (${secret.slice(0, 6)}…)`);
    const encoded = Buffer.from(secret).toString('base64');
    if (encoded.length > 12) assert.ok(!text.includes(encoded), `${label} contains a secret in base64`);
  }
}

let pg: Playground;
before(async () => {
  pg = await startPlayground();
});
after(() => pg.close());

describe('no secret leaks', () => {
  it('from the demo, as text and as JSON', async () => {
    for (const args of [['demo'], ['demo', '--json']]) {
      const { stdout, stderr } = await run(process.execPath, [main, ...args], { timeout: 60_000 });
      assertClean(`gatehouse ${args.join(' ')}`, stdout + stderr, DEMO_SECRETS);
    }
  });

  it('from client errors: message, stack, toString, inspect, JSON', async () => {
    const strategies = [
      bearer(SECRETS.token),
      basic('alice', SECRETS.password),
      apiKey({ header: 'X-API-Key' }, SECRETS.apiKey),
      apiKey({ query: 'api_key' }, SECRETS.apiKey),
      hmacSignature({ keyId: 'k', secret: SECRETS.signingSecret }),
      bearer(
        oauth2ClientCredentials({
          tokenUrl: `${pg.url}/oauth/token`,
          clientId: DEMO.serviceClient.id,
          clientSecret: SECRETS.clientSecret,
        }),
      ),
    ];
    for (const auth of strategies) {
      const error = await createClient({ baseUrl: pg.url, auth, retry: 0 })
        .get('api/admin?echo=1')
        .catch((e: unknown) => e);
      assert.ok(error instanceof Error);
      const text = [
        error.message,
        error.stack,
        String(error),
        inspect(error, { depth: 8 }),
        JSON.stringify(error),
      ].join('\n');
      assertClean(`client error (${auth.name})`, text, Object.values(SECRETS));
    }
  });

  it('from server refusals: headers and bodies', async () => {
    const attempts: Array<Record<string, string>> = [
      { authorization: `Bearer ${SECRETS.token}` },
      { authorization: `Bearer ${SECRETS.token} trailing` },
      { authorization: `Basic ${Buffer.from(`alice:${SECRETS.password}`).toString('base64')}` },
      { authorization: SECRETS.token },
      { authorization: `${SECRETS.token} ${SECRETS.token}` },
      { 'x-api-key': SECRETS.apiKey },
      { 'x-api-key': `${SECRETS.apiKey}, ${SECRETS.apiKey}` },
    ];
    for (const headers of attempts) {
      const response = await fetch(`${pg.url}/api/me`, { headers });
      const text = `${[...response.headers].map(([n, v]) => `${n}: ${v}`).join('\n')}\n${await response.text()}`;
      assertClean(`refusal for ${Object.keys(headers)[0]}`, text, Object.values(SECRETS));
    }
    const token = await fetch(`${pg.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: DEMO.publicClient,
        username: 'alice',
        password: SECRETS.password,
      }),
    });
    assertClean('token endpoint refusal', await token.text(), Object.values(SECRETS));
  });

  it('from doctor reports, in every format', async () => {
    for (const options of [
      { bearer: SECRETS.token },
      { basic: `alice:${SECRETS.password}` },
      { headers: [['X-API-Key', SECRETS.apiKey]] as Array<[string, string]> },
    ]) {
      const report = await diagnose({ url: `${pg.url}/api/admin`, timeoutMs: 3000, ...options });
      for (const text of [JSON.stringify(report), renderTerminal(report), renderMarkdown(report)])
        assertClean('doctor report', text, Object.values(SECRETS));
    }
  });

  it('from the CLI: a password given on stdin is never echoed', async () => {
    const store = `sqlite:${join(mkdtempSync(join(tmpdir(), 'gh-leaks-')), 'gatehouse.db')}`;
    const child = execFile(process.execPath, [main, 'users', 'add', 'leaky', '--store', store]);
    child.stdin!.end(`${SECRETS.password}\n`);
    let output = '';
    child.stdout!.on('data', (c) => {
      output += c;
    });
    child.stderr!.on('data', (c) => {
      output += c;
    });
    await new Promise((r) => child.on('exit', r));
    assert.match(output, /added leaky/);
    assertClean('gatehouse users add', output, [SECRETS.password]);
  });
});
