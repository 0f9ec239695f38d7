/**
 * Every output a user or a log could see — demo, doctor reports, client errors, server
 * refusals, CLI output — searched for the secrets that went in, in every encoding a server may
 * echo them in (raw, base64 and base64url, of the secret and of a Basic `user:password` pair,
 * percent- and form-encoded, JSON-escaped). Zero hits. The echoing servers are the attack: they
 * hand each credential back in the body, the reason phrase, a WWW-Authenticate error_description
 * and custom headers, hoping an error message or a report repeats it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspect, promisify } from 'node:util';
import {
  apiKey,
  basic,
  bearer,
  createClient,
  digest,
  hmacSignature,
  maskHeader,
  oauth2ClientCredentials,
} from '../../src/client/index.ts';
import { diagnose, diagnoseHar, renderMarkdown, renderTerminal } from '../../src/doctor/index.ts';
import { DEMO } from '../../src/playground/seed.ts';
import { type Playground, startPlayground } from '../../src/playground/serve.ts';
import { serverPerTest } from '../support/server.ts';

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

const form = (text: string) => new URLSearchParams({ x: text }).toString().slice(2);

/** Every encoding of a secret an output could carry it in; with `user`, also the Basic pair's. */
function encodings(secret: string, user?: string): Array<[string, string]> {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const b64url = (text: string) => Buffer.from(text).toString('base64url');
  const out: Array<[string, string]> = [
    ['raw', secret],
    ['base64', b64(secret)],
    ['base64url', b64url(secret)],
    ['percent-encoded', encodeURIComponent(secret)],
    ['percent-encoded, lower-case hex', encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())],
    ['form-encoded', form(secret)],
    ['JSON-escaped', JSON.stringify(secret).slice(1, -1)],
  ];
  if (user !== undefined) {
    for (const pair of [`${user}:${secret}`, `${form(user)}:${form(secret)}`])
      out.push(['base64 of user:password', b64(pair)], ['base64url of user:password', b64url(pair)]);
  }
  return out;
}

function assertClean(label: string, text: string, secrets: string[], user?: string): void {
  for (const secret of secrets) {
    for (const [how, encoded] of encodings(secret, user)) {
      if (encoded.length < 8) continue;
      assert.ok(!text.includes(encoded), `${label} contains a secret ${how} (${secret.slice(0, 6)}…)`);
    }
  }
}

/**
 * Secrets with characters every encoding changes: a space (+ or %20), '/', '+', ':', '=', '~', '!'.
 * The bearer token keeps to token68, as bearer() requires.
 */
const ECHOED = {
  user: 'echo user',
  password: 'Echo pass/+:=93bd7c~!',
  token: 'echo-bearer-token/+~7f3a9c2e51b8',
  apiKey: 'echo api/key+:=55aa~!0c1d',
  clientSecret: 'echo client/secret+:=~!2b7e',
  custom: 'echo-custom-secret-4d2c19aa',
};
const ECHOED_SECRETS = [ECHOED.password, ECHOED.token, ECHOED.apiKey, ECHOED.clientSecret, ECHOED.custom];

/**
 * A server that hands the request back: everything it received (headers and body) in its body,
 * its reason phrase, a WWW-Authenticate error_description, custom headers and an OAuth error.
 * It asks for Digest too, so a Digest client answers.
 */
function echoHandler(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, body: Buffer) {
  // What is secret first, so that even a short excerpt would reach it.
  const headers = Object.entries(req.headers).sort(([a]) => (a === 'authorization' || a.includes('key') ? -1 : 0));
  const seen = [req.url, body.toString(), ...headers.map(([n, v]) => `${n}=${String(v)}`)].join(' ');
  const printable = seen.replace(/[^\x20-\x7e]/g, '?');
  res.writeHead(401, `Refused ${printable}`.slice(0, 900), {
    'content-type': 'application/json',
    'www-authenticate': [
      `Bearer realm="echo", error="invalid_token", error_description="${printable.replace(/["\\]/g, '').slice(0, 900)}"`,
      'Digest realm="echo", qop="auth", algorithm=SHA-256, nonce="0123456789abcdef"',
    ],
    'x-echo': printable.slice(0, 900),
    'x-echo-authorization': String(req.headers.authorization ?? ''),
    'x-echo-body': body.toString().replace(/[^\x20-\x7e]/g, '?'),
  });
  res.end(
    JSON.stringify({
      error: 'invalid_client',
      error_description: seen,
      code: 'credentials_invalid',
      detail: seen,
      headers: req.headers,
      body: body.toString(),
    }),
  );
}

/** An error as every output shows it: message, stack, toString, inspect (causes included), JSON. */
function shown(error: Error): string {
  return [error.message, error.stack, String(error), inspect(error, { depth: 8 }), JSON.stringify(error)].join('\n');
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
      const text = shown(error);
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

  it('from the CLI doctor, in every format, against an echoing server', async () => {
    const echo = await serve(echoHandler);
    const given = [
      ['--bearer', ECHOED.token],
      ['--basic', `${ECHOED.user}:${ECHOED.password}`],
      ['-H', `X-API-Key: ${ECHOED.apiKey}`],
    ];
    for (const [flag, value] of given) {
      for (const format of [[], ['--json'], ['--markdown']]) {
        const { stdout, stderr } = await run(
          process.execPath,
          [main, 'doctor', `${echo.url}api`, flag!, value!, ...format],
          {
            timeout: 30_000,
          },
        ).catch((e: { stdout: string; stderr: string }) => e);
        assert.match(stdout, /401/);
        assertClean(`gatehouse doctor ${flag} ${format.join(' ')}`, stdout + stderr, ECHOED_SECRETS, ECHOED.user);
      }
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

const serve = serverPerTest();

describe('no secret leaks when the server echoes the request', () => {
  const strategies = () => [
    basic(ECHOED.user, ECHOED.password),
    bearer(ECHOED.token),
    apiKey({ header: 'X-API-Key' }, ECHOED.apiKey),
    apiKey({ header: 'X-Partner-Credential' }, ECHOED.apiKey),
    apiKey({ query: 'api_key' }, ECHOED.apiKey),
    digest(ECHOED.user, ECHOED.password),
  ];

  it('from client errors of every strategy: message, stack, toString, inspect, JSON', async () => {
    const echo = await serve(echoHandler);
    for (const auth of strategies()) {
      const client = createClient({ baseUrl: echo.url, auth, retry: 0, headers: { 'x-auth-token': ECHOED.custom } });
      const error = await client.get('api/me').catch((e: unknown) => e);
      assert.ok(error instanceof Error, `${auth.name}: ${String(error)}`);
      const text = shown(error);
      assert.match(text, /401/);
      assertClean(`client error (${auth.name})`, text, ECHOED_SECRETS, ECHOED.user);
    }
  });

  for (const [method, clientAuthentication] of [
    ['client_secret_basic', 'basic'],
    ['client_secret_post', 'body'],
  ] as const) {
    it(`from an OAuth2 token endpoint that echoes a ${method} request`, async () => {
      const echo = await serve(echoHandler);
      const source = oauth2ClientCredentials({
        tokenUrl: `${echo.url}oauth/token`,
        clientId: ECHOED.user,
        clientSecret: ECHOED.clientSecret,
        clientAuthentication,
      });
      const error = await createClient({ baseUrl: echo.url, auth: bearer(source), retry: 0 })
        .get('api/me')
        .catch((e: unknown) => e);
      assert.ok(error instanceof Error);
      assert.equal((error as { code?: string }).code, 'ERR_GATEHOUSE_AUTHENTICATION');
      const excerpt = (error as { bodyExcerpt?: string }).bodyExcerpt ?? '';
      assert.match(excerpt, /invalid_client/, 'the excerpt still shows what the server said');
      const text = `${shown(error)}
${excerpt}`;
      assertClean(`token endpoint error (${method})`, text, ECHOED_SECRETS, ECHOED.user);
    });
  }

  it('from doctor reports in every format: body, reason phrase, error_description, custom headers', async () => {
    const echo = await serve(echoHandler);
    for (const options of [
      { bearer: ECHOED.token },
      { basic: `${ECHOED.user}:${ECHOED.password}` },
      { headers: [['X-API-Key', ECHOED.apiKey]] as Array<[string, string]> },
      { path: `api/admin?api_key=${encodeURIComponent(ECHOED.apiKey)}` },
      {
        headers: [
          ['Api-Key', ECHOED.apiKey],
          ['X-Auth-Token', ECHOED.custom],
        ] as Array<[string, string]>,
      },
      {
        headers: [
          ['Authorization', `Basic ${Buffer.from(`${ECHOED.user}:${ECHOED.password}`).toString('base64')}`],
        ] as Array<[string, string]>,
      },
    ]) {
      const { path = 'api/admin', ...given } = options as typeof options & { path?: string };
      const report = await diagnose({ url: `${echo.url}${path}`, timeoutMs: 3000, ...given });
      assert.equal(report.status, 401);
      for (const text of [JSON.stringify(report), renderTerminal(report), renderMarkdown(report)])
        assertClean(`doctor report (${Object.keys(options)[0]})`, text, ECHOED_SECRETS, ECHOED.user);
    }
  });

  it('from doctor reports of a HAR file whose responses echo the request', async () => {
    const basicHeader = `Basic ${Buffer.from(`${ECHOED.user}:${ECHOED.password}`).toString('base64')}`;
    const echoed = `${basicHeader} ${ECHOED.apiKey} ${encodeURIComponent(ECHOED.password)}`;
    const har = join(mkdtempSync(join(tmpdir(), 'gh-leaks-har-')), 'echo.har');
    writeFileSync(
      har,
      JSON.stringify({
        log: {
          entries: [
            {
              request: {
                method: 'GET',
                url: 'https://api.example.com/me',
                headers: [
                  { name: 'Authorization', value: basicHeader },
                  { name: 'X-API-Key', value: ECHOED.apiKey },
                ],
              },
              response: {
                status: 401,
                statusText: `Refused ${echoed}`,
                headers: [
                  { name: 'WWW-Authenticate', value: `Basic realm="x", error_description="${echoed}"` },
                  { name: 'X-Echo', value: echoed },
                ],
                content: { text: JSON.stringify({ detail: echoed }) },
              },
            },
          ],
        },
      }),
    );
    const [report] = await diagnoseHar(har);
    assert.ok(report);
    for (const text of [JSON.stringify(report), renderTerminal(report), renderMarkdown(report)])
      assertClean('doctor report of a HAR', text, ECHOED_SECRETS, ECHOED.user);
  });

  it('masks of a Basic credential keep no decodable fragment of the password, parsed or not', () => {
    const pairs = [`${ECHOED.user}:${ECHOED.password}`, `no-colon-${ECHOED.password}`];
    for (const pair of pairs) {
      const once = Buffer.from(pair).toString('base64');
      for (const value of [`Basic ${once}`, `Basic ${Buffer.from(once).toString('base64')}`, `basic  ${once} `]) {
        const shown = maskHeader('Authorization', value);
        // Any 4-character run of the credential's base64 decodes to three of its bytes.
        const credential = value.trim().split(/\s+/)[1]!;
        for (let i = 0; i + 4 <= credential.length; i++)
          assert.ok(!shown.includes(credential.slice(i, i + 4)), `${JSON.stringify(shown)} keeps a base64 block`);
      }
    }
  });
});
