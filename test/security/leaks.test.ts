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

/**
 * How other servers write strings into JSON: an echoed secret comes back escaped, in any mix of
 * escaped and literal characters. Each style is an echoing server's attempt to get a secret past
 * redaction.
 */
const hex4 = (c: string, upper = false) => {
  const h = c.charCodeAt(0).toString(16).padStart(4, '0');
  return `\\u${upper ? h.toUpperCase() : h}`;
};
const ESCAPE_STYLES: Record<string, (s: string) => string> = {
  'PHP json_encode (/ as \\/)': (s) => JSON.stringify(s).replaceAll('/', '\\/'),
  'Python json.dumps (non-ASCII as \\u00e9)': (s) => JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => hex4(c)),
  'Go encoding/json (<>& as \\u003c)': (s) => JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => hex4(c)),
  '.NET System.Text.Json (+<>& and non-ASCII, upper-case hex)': (s) =>
    JSON.stringify(s).replace(/[+<>&'`\u0080-\uffff]/g, (c) => hex4(c, true)),
};

/** What a JSON reader makes of a text: its escapes decoded, twice (a JSON report quotes the body again). */
function readJson(text: string): string {
  let out = text;
  for (let i = 0; i < 2; i++)
    out = out.replace(/\\(u[0-9a-fA-F]{4}|["\\/bfnrt])/g, (_m, e: string) =>
      e[0] === 'u' ? String.fromCharCode(Number.parseInt(e.slice(1), 16)) : JSON.parse(`"\\${e}"`),
    );
  return out;
}

/** Secrets with what the styles escape: '/', '+', non-ASCII, '<', '&', '>' (the token keeps to token68). */
const ESCAPED = {
  user: 'esc user',
  password: 'Esc pass/+é<&>~*9f3a',
  token: 'esc-bearer-token/+~7f3a9c2e51b8',
  apiKey: 'esc api/key+<&>55aa~0c1d',
  clientSecret: 'esc client/secret+é<&>2b7e',
};
const ESCAPED_SECRETS = [ESCAPED.password, ESCAPED.token, ESCAPED.apiKey, ESCAPED.clientSecret];

/**
 * An echoing server whose JSON encoder escapes the `write` way: it hands back the request as it
 * came (headers, query, body) and what it decoded from it (the Basic pair, form fields), in its
 * body and, where the style makes it ASCII, in a header and an error_description.
 */
function escapingEcho(write: (s: string) => string): import('../support/server.ts').Handler {
  return (req, res, body) => {
    const seen: string[] = [req.url ?? '', body.toString(), ...Object.values(req.headers).map(String)];
    const basicPair = /^basic\s+(\S+)/i.exec(String(req.headers.authorization ?? ''))?.[1];
    if (basicPair) {
      const pair = Buffer.from(basicPair, 'base64').toString();
      seen.push(pair, ...pair.split(':').map((part) => new URLSearchParams(`x=${part}`).get('x') ?? ''));
    }
    for (const [, value] of new URLSearchParams(body.toString())) seen.push(value);
    for (const [, value] of new URL(req.url ?? '/', 'http://x').searchParams) seen.push(value);
    const echoed = write(seen.join(' | '));
    const ascii = echoed.slice(1, -1).replace(/[^\x20-\x7e]/g, '?');
    res.writeHead(
      req.url?.includes('token') ? 400 : 401,
      `Refused ${ascii.replace(/[^\x21-\x7e]/g, ' ')}`.slice(0, 900),
      {
        'content-type': 'application/json',
        'www-authenticate': `Bearer realm="echo", error="invalid_token", error_description="${ascii.replace(/["\\]/g, '').slice(0, 900)}"`,
        'x-echo': ascii.slice(0, 900),
      },
    );
    res.end(`{"error":"invalid_client","error_description":${echoed},"detail":${echoed}}`);
  };
}

/** `assertClean` on the text as shown and as a JSON reader would read it. */
function assertCleanRead(label: string, text: string, secrets: string[], user?: string): void {
  assertClean(label, text, secrets, user);
  assertClean(`${label} (escapes decoded)`, readJson(text), secrets, user);
}

describe('no secret leaks when the server echoes it JSON-escaped (PHP, Python, Go, .NET styles)', () => {
  for (const [style, write] of Object.entries(ESCAPE_STYLES)) {
    it(`from client errors and token-endpoint errors, ${style}`, async () => {
      const echo = await serve(escapingEcho(write));
      for (const auth of [
        basic(ESCAPED.user, ESCAPED.password),
        bearer(ESCAPED.token),
        apiKey({ header: 'X-API-Key' }, ESCAPED.apiKey),
        apiKey({ query: 'api_key' }, ESCAPED.apiKey),
      ]) {
        const error = await createClient({ baseUrl: echo.url, auth, retry: 0 })
          .get('api/me')
          .catch((e: unknown) => e);
        assert.ok(error instanceof Error, `${auth.name}: ${String(error)}`);
        assert.match(shown(error), /401/);
        assertCleanRead(`client error (${auth.name}, ${style})`, shown(error), ESCAPED_SECRETS, ESCAPED.user);
      }
      for (const clientAuthentication of ['basic', 'body'] as const) {
        const source = oauth2ClientCredentials({
          tokenUrl: `${echo.url}oauth/token`,
          clientId: ESCAPED.user,
          clientSecret: ESCAPED.clientSecret,
          clientAuthentication,
        });
        const error = await source.getToken().catch((e: unknown) => e);
        assert.ok(error instanceof Error);
        const excerpt = (error as { bodyExcerpt?: string }).bodyExcerpt ?? '';
        assert.match(excerpt, /invalid_client/, 'the excerpt still shows what the server said');
        assertCleanRead(
          `token endpoint error (${clientAuthentication}, ${style})`,
          `${shown(error)}\n${excerpt}`,
          ESCAPED_SECRETS,
          ESCAPED.user,
        );
      }
    });

    it(`from doctor reports in every format, ${style}`, async () => {
      const echo = await serve(escapingEcho(write));
      for (const options of [
        { bearer: ESCAPED.token },
        { basic: `${ESCAPED.user}:${ESCAPED.password}` },
        { headers: [['X-API-Key', ESCAPED.apiKey]] as Array<[string, string]> },
      ]) {
        const report = await diagnose({ url: `${echo.url}api/admin`, timeoutMs: 3000, ...options });
        assert.equal(report.status, 401);
        for (const text of [JSON.stringify(report), renderTerminal(report), renderMarkdown(report)])
          assertCleanRead(`doctor report (${Object.keys(options)[0]}, ${style})`, text, ESCAPED_SECRETS, ESCAPED.user);
      }
    });
  }

  it('from the CLI doctor in every format, against PHP- and Python-style echoes', async () => {
    for (const style of ['PHP json_encode (/ as \\/)', 'Python json.dumps (non-ASCII as \\u00e9)']) {
      const echo = await serve(escapingEcho(ESCAPE_STYLES[style]!));
      for (const format of [[], ['--json'], ['--markdown']]) {
        const args = [main, 'doctor', `${echo.url}x`, '--basic', `${ESCAPED.user}:${ESCAPED.password}`, ...format];
        const { stdout, stderr } = await run(process.execPath, args, { timeout: 30_000 }).catch(
          (e: { stdout: string; stderr: string }) => e,
        );
        assert.match(stdout, /401/);
        assertCleanRead(
          `gatehouse doctor ${format.join(' ')} (${style})`,
          stdout + stderr,
          ESCAPED_SECRETS,
          ESCAPED.user,
        );
      }
    }
  });
});

describe('no decodable piece of a short password in a base64 echo', () => {
  /** Every 4-character piece of `password` found by decoding each base64 run of `text`, at each of its 4 alignments, percent-escapes too. */
  function decodablePieces(text: string, password: string): string[] {
    const found = new Set<string>();
    for (const run of text.match(/[A-Za-z0-9+/_-]{2,}/g) ?? [])
      for (let shift = 0; shift < 4; shift++)
        for (const enc of ['base64', 'base64url'] as const) {
          const bytes = Buffer.from(run.slice(shift), enc).toString('latin1');
          // Read as it is and percent-decoded (a form body inside the base64 carries the secret so).
          for (const decoded of [
            bytes,
            bytes.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
          ])
            for (let i = 0; i + 4 <= password.length; i++)
              if (decoded.includes(password.slice(i, i + 4))) found.add(password.slice(i, i + 4));
        }
    return [...found];
  }

  /** A server that answers 401 with the whole request (body and head), base64-encoded, in its body and a header. */
  const base64Echo: import('../support/server.ts').Handler = (req, res, body) => {
    // The body and the credentials first, so that even a short excerpt reaches them.
    const head = `${req.method} ${req.url}\r\n${req.rawHeaders.join('\r\n')}\r\n`;
    const request = Buffer.concat([
      body,
      Buffer.from(`\r\nAuthorization: ${req.headers.authorization ?? ''}\r\n${head}`),
    ]);
    const encoded = request.toString('base64');
    res.writeHead(401, { 'content-type': 'application/json', 'x-echo': encoded });
    res.end(JSON.stringify({ error: 'invalid_client', request: encoded, url: request.toString('base64url') }));
  };

  // Short passwords (6 and 5 bytes), users of every length modulo 3, so the password lands at each alignment.
  for (const password of ['pw/4x!', 'hunt2']) {
    it(`client errors and doctor reports, password ${JSON.stringify(password)}`, async () => {
      const echo = await serve(base64Echo);
      for (const user of ['u', 'us', 'usr']) {
        const error = await createClient({ baseUrl: echo.url, auth: basic(user, password), retry: 0 })
          .get('api/me')
          .catch((e: unknown) => e);
        assert.ok(error instanceof Error);
        assert.deepEqual(decodablePieces(shown(error), password), [], `client error, user ${user}`);
        const report = await diagnose({ url: `${echo.url}api/me`, timeoutMs: 3000, basic: `${user}:${password}` });
        assert.equal(report.status, 401);
        for (const text of [JSON.stringify(report), renderTerminal(report), renderMarkdown(report)])
          assert.deepEqual(decodablePieces(text, password), [], `doctor report, user ${user}: ${text.slice(0, 2000)}`);
        // The same Basic credential in a header of another name, as proxies and gateways pass it on.
        const basicValue = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
        for (const name of ['X-Forwarded-Authorization', 'X-Upstream-Authorization', 'X-Partner-Credential']) {
          const forwarded = await diagnose({
            url: `${echo.url}api/me`,
            timeoutMs: 3000,
            headers: [[name, basicValue]],
          });
          for (const text of [JSON.stringify(forwarded), renderTerminal(forwarded), renderMarkdown(forwarded)])
            assert.deepEqual(
              decodablePieces(text, password),
              [],
              `doctor report, ${name}, user ${user}: ${text.slice(0, 1500)}`,
            );
        }
        for (const name of [
          'Authorization',
          'Proxy-Authorization',
          'X-Forwarded-Authorization',
          'X-Partner-Credential',
        ]) {
          const mask = maskHeader(name, basicValue);
          assert.deepEqual(decodablePieces(mask, password), [], `Basic mask ${mask}`);
          assert.ok(!mask.includes(basicValue.slice(-4)), `${name}: ${mask} keeps the last base64 block`);
        }
        // A client secret sent in the form body: the echo carries it percent-encoded inside the base64.
        const source = oauth2ClientCredentials({
          tokenUrl: `${echo.url}oauth/token`,
          clientId: user,
          clientSecret: password,
          clientAuthentication: 'body',
        });
        const tokenError = await source.getToken().catch((e: unknown) => e);
        assert.ok(tokenError instanceof Error);
        const excerpt = (tokenError as { bodyExcerpt?: string }).bodyExcerpt ?? '';
        assert.match(excerpt, /invalid_client/);
        for (const text of [`${shown(tokenError)}\n${excerpt}`, readJson(`${shown(tokenError)}\n${excerpt}`)])
          assert.deepEqual(decodablePieces(text, password), [], `token endpoint error, client ${user}: ${excerpt}`);
      }
    });
  }
});

describe('no secret leaks when the server echoes the request as line-wrapped base64 (MIME, PEM, chunk_split)', () => {
  const WRAPPED = { user: 'svc user', password: 'Qz7/+:=~!Kx9-Tb4#', clientSecret: 'Vm3/+:=~!Jq8-Zc5%' };

  /** Every 4-character piece of `secret` decodable from `text`: JSON read, line breaks dropped, each base64 run at its 4 alignments, and the base64 inside that again. */
  function wrappedPieces(text: string, secret: string): string[] {
    const found = new Set<string>();
    const look = (t: string, depth: number) => {
      const read = t.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
      for (const candidate of [t, read, read.replaceAll('+', ' ')])
        for (let i = 0; i + 4 <= secret.length; i++)
          if (candidate.includes(secret.slice(i, i + 4))) found.add(secret.slice(i, i + 4));
      if (depth === 0) return;
      for (const run of readJson(t)
        .replace(/[\r\n]/g, '')
        .match(/[A-Za-z0-9+/_-]{2,}/g) ?? [])
        for (let shift = 0; shift < 4; shift++)
          for (const enc of ['base64', 'base64url'] as const)
            look(Buffer.from(run.slice(shift), enc).toString('latin1'), depth - 1);
    };
    look(text, 2);
    return [...found];
  }

  /** A server that answers with the request it got (head and body), base64-wrapped at `width` with `eol`, in a JSON string or as plain text. */
  const wrappedEcho =
    (width: number, eol: string, json: boolean, status = 401): import('../support/server.ts').Handler =>
    (req, res, body) => {
      const request = `${req.method} ${req.url}\nauthorization: ${req.headers.authorization ?? ''}\n\n${body.toString()}`;
      const wrapped = Buffer.from(request)
        .toString('base64')
        .replace(new RegExp(`(.{${width}})(?=.)`, 'g'), `$1${eol}`);
      res.writeHead(status, {
        'content-type': json ? 'application/json' : 'text/plain',
        'www-authenticate': 'Basic realm="wrapped"',
      });
      res.end(
        json
          ? JSON.stringify({ error: 'invalid_client', error_description: `request was:\n${wrapped}\n` })
          : `request was:${eol}${wrapped}${eol}`,
      );
    };

  const variants: Array<[number, string, boolean]> = [];
  for (const width of [76, 64, 50])
    for (const eol of ['\n', '\r\n']) for (const json of [true, false]) variants.push([width, eol, json]);

  it('from the client, token endpoint errors with client_secret_basic and client_secret_post', async () => {
    for (const [width, eol, json] of variants) {
      const echo = await serve(wrappedEcho(width, eol, json, 400));
      for (const clientAuthentication of ['basic', 'body'] as const) {
        const source = oauth2ClientCredentials({
          tokenUrl: `${echo.url}oauth/token`,
          clientId: 'svc',
          clientSecret: WRAPPED.clientSecret,
          clientAuthentication,
        });
        const error = await source.getToken().catch((e: unknown) => e);
        assert.ok(error instanceof Error);
        const excerpt = (error as { bodyExcerpt?: string }).bodyExcerpt ?? '';
        assert.match(excerpt, /request was/);
        const label = `${clientAuthentication}, ${width} columns, ${JSON.stringify(eol)}, ${json ? 'JSON' : 'text'}`;
        assert.deepEqual(
          wrappedPieces(`${shown(error)}\n${excerpt}`, WRAPPED.clientSecret),
          [],
          `${label}: ${excerpt}`,
        );
      }
    }
  });

  it('from doctor reports in every format', async () => {
    for (const [width, eol, json] of variants) {
      const echo = await serve(wrappedEcho(width, eol, json));
      const report = await diagnose({
        url: `${echo.url}me`,
        timeoutMs: 3000,
        basic: `${WRAPPED.user}:${WRAPPED.password}`,
      });
      assert.equal(report.status, 401);
      for (const text of [JSON.stringify(report), renderTerminal(report), renderMarkdown(report)])
        assert.deepEqual(
          wrappedPieces(text, WRAPPED.password),
          [],
          `${width}, ${JSON.stringify(eol)}, ${json}: ${text.slice(0, 2000)}`,
        );
    }
  });

  it('from the CLI doctor, --json, --markdown and text', async () => {
    for (const [width, eol, json] of [variants[0]!, variants[7]!]) {
      const echo = await serve(wrappedEcho(width, eol, json));
      for (const format of [['--json'], ['--markdown'], []]) {
        const args = [main, 'doctor', `${echo.url}me`, '--basic', `${WRAPPED.user}:${WRAPPED.password}`, ...format];
        const { stdout, stderr } = await run(process.execPath, args, { timeout: 30_000 }).catch(
          (e: { stdout: string; stderr: string }) => e,
        );
        assert.match(stdout, /401/);
        assert.deepEqual(
          wrappedPieces(stdout + stderr, WRAPPED.password),
          [],
          `gatehouse doctor ${format.join(' ')} (${width}, ${JSON.stringify(eol)}, ${json}): ${stdout}`,
        );
      }
    }
  });
});
