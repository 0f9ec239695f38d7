/**
 * Attacks on the doctor (issue 15's new probes, comparisons and proven fixes) by the servers it is
 * pointed at: a person runs it against an API that may be hostile or broken. Every server here is a
 * real loopback server (port 0) that answers as the attack does; other origins are other servers,
 * and what reached each is counted.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { diagnose, exitCode, renderMarkdown, renderTerminal } from '../../src/doctor/index.ts';
import type { Report } from '../../src/doctor/types.ts';
import { gatehouse } from '../support/cli.ts';
import { unsignedJwt } from '../support/jwt.ts';
import { json, serverPerTest, startServer, type TestServer } from '../support/server.ts';

const serve = serverPerTest();

const TOKEN = 'adv-bearer-token-0123456789abcdefXYZ';
const SESSION = 'adv-session-cookie-value-0042';
const CSRF = 'adv-csrf-cookie-value-0043abcdef';
const API_KEY = 'adv-x-api-key-value-0044';
/** Secret headers whose names are not on the credential list: one that looks secret, one that does not. */
const AUTH_KEY = 'adv-x-auth-key-value-0045';
const APIKEY_CUSTOM = 'adv-x-apikey-custom-0046';
const QUERY_KEY = 'adv-query-api-key-0047';
const PASSWORD = 'adv-form-password-0048';

/** Every credential a user may hand the doctor, as header lines. */
const CREDENTIAL_LINES: Array<[string, string]> = [
  ['Authorization', `Bearer ${TOKEN}`],
  ['Cookie', `sessionid=${SESSION}; csrftoken=${CSRF}`],
  ['X-API-Key', API_KEY],
  ['X-Auth-Key', AUTH_KEY],
  ['X-ApiKey', APIKEY_CUSTOM],
];
const SECRETS = [TOKEN, SESSION, CSRF, API_KEY, AUTH_KEY, APIKEY_CUSTOM, QUERY_KEY, PASSWORD];

/** Every form a secret may travel in. */
const forms = (secret: string) => [
  secret,
  encodeURIComponent(secret),
  Buffer.from(secret).toString('base64'),
  Buffer.from(secret).toString('base64url'),
];

/** The secrets that reached a server anywhere: target, header lines, body. */
function reached(server: TestServer): string[] {
  return SECRETS.filter((secret) =>
    forms(secret).some((f) =>
      server.received.some(
        (r) => r.url.includes(f) || r.rawHeaders.some((h) => h.includes(f)) || r.body.toString().includes(f),
      ),
    ),
  );
}

/** The secrets any output of a report shows, in any form. */
function shown(report: Report, secrets: readonly string[]): string[] {
  const outputs = [JSON.stringify(report), renderTerminal(report), renderMarkdown(report)];
  return secrets.filter((s) => forms(s).some((f) => outputs.some((o) => o.includes(f))));
}

/** A server at another origin: answers 200 and records what it got. */
const elsewhere = () => serve((_req, res) => json(res, 200, { ok: true }));

/** Redirects the first request to `location()`, answers 200 after. */
const redirectingTo = (location: (req: IncomingMessage) => string, status = 302) =>
  serve((req, res, _body, index) => {
    if (index > 0) return json(res, 200, {});
    res.writeHead(status, { location: location(req) });
    res.end();
  });

describe('leaks: what a hostile server can make the doctor send elsewhere', () => {
  const locations: Array<[string, (other: TestServer) => string]> = [
    ['another port', (o) => `${o.origin}/landing`],
    ['a protocol-relative //host:port', (o) => `//127.0.0.1:${o.port}/landing`],
    ['another name for the same machine (localhost)', (o) => `http://localhost:${o.port}/landing`],
    ['a trailing-dot host name', (o) => `http://localhost.:${o.port}/landing`],
    ['userinfo naming the start origin', (o) => `http://127.0.0.1:1@127.0.0.1:${o.port}/landing`],
    ['IPv4-mapped IPv6', (o) => `http://[::ffff:127.0.0.1]:${o.port}/landing`],
  ];
  for (const [what, location] of locations) {
    for (const status of [302, 307]) {
      it(`a ${status} to ${what}: no credential of any kind follows (headers, query, body)`, async () => {
        const other = await elsewhere();
        const start = await redirectingTo(() => location(other), status);
        const report = await diagnose({
          url: `${start.origin}/api?api_key=${QUERY_KEY}`,
          method: 'POST',
          headers: CREDENTIAL_LINES,
          data: `username=alice&password=${PASSWORD}`,
          timeoutMs: 2000,
        });
        assert.equal(start.received[0]!.headers['x-api-key'], API_KEY, 'the start origin got what was given for it');
        assert.deepEqual(reached(other), [], `nothing reached ${what}`);
        assert.deepEqual(shown(report, SECRETS), []);
      });
    }
  }

  it('a Location that keeps the query (nginx `return 301 http://new$request_uri`) loses the API key on the way', async () => {
    const other = await elsewhere();
    const start = await redirectingTo((req) => `${other.origin}${req.url}`, 301);
    await diagnose({ url: `${start.origin}/api?page=2&api_key=${QUERY_KEY}&copy=${QUERY_KEY}`, timeoutMs: 2000 });
    assert.equal(other.received.length, 1, 'the redirect was followed');
    assert.equal(other.received[0]!.url, '/api?page=2');
    assert.deepEqual(reached(other), []);
  });

  it('a Location with a credential in its path or host name is not followed at all', async () => {
    const other = await elsewhere();
    for (const location of [`${other.origin}/k/${TOKEN}`, `http://${TOKEN}.localhost:${other.port}/`]) {
      const start = await redirectingTo(() => location);
      const report = await diagnose({ url: `${start.origin}/api`, bearer: TOKEN, timeoutMs: 2000 });
      assert.match(report.exchanges.at(-1)?.error ?? '', /not followed/);
      assert.deepEqual(shown(report, [TOKEN]), []);
    }
    assert.equal(other.received.length, 0);
  });

  it('a 307 to another origin does not carry a POST there at all: the doctor says it did not follow', async () => {
    const other = await elsewhere();
    const start = await redirectingTo(() => `${other.origin}/internal/delete-everything`, 307);
    const report = await diagnose({ url: `${start.origin}/api`, method: 'POST', data: '{}', timeoutMs: 2000 });
    assert.equal(other.received.length, 0);
    assert.match(renderTerminal(report), /not followed: the doctor sends no POST/);
  });

  it('a redirect to [::1] (another host by name) carries no credential', async () => {
    const other = await startServer((_req, res) => json(res, 200, {}), { host: '::1' });
    try {
      const start = await redirectingTo(() => `http://[::1]:${other.port}/landing`, 307);
      await diagnose({ url: `${start.origin}/api`, headers: CREDENTIAL_LINES, timeoutMs: 2000 });
      assert.equal(other.received.length, 1, 'the redirect was followed');
      assert.deepEqual(reached(other), []);
    } finally {
      await other.close();
    }
  });

  it('a hop back to the start origin after leaving it carries no credential either (that origin chose the way)', async () => {
    let backTo = '';
    const other = await serve((_req, res) => {
      res.writeHead(302, { location: backTo });
      res.end();
    });
    const start = await serve((req, res) => {
      if (req.url === '/api') {
        res.writeHead(302, { location: `${other.origin}/bounce` });
        res.end();
        return;
      }
      json(res, 200, {});
    });
    backTo = `${start.origin}/landing`;
    await diagnose({ url: `${start.origin}/api`, headers: CREDENTIAL_LINES, timeoutMs: 2000 });
    assert.deepEqual(reached(other), []);
    const landing = start.received.filter((r) => r.url === '/landing');
    assert.equal(landing.length >= 1, true);
    assert.equal(landing[0]!.headers.authorization, undefined);
  });

  it('issuer discovery, jwks_uri, resource_metadata and the OpenAPI description carry no credential', async () => {
    const discovery = await serve((req, res) => {
      if (req.url!.startsWith('/.well-known/'))
        return json(res, 200, { issuer: 'x', jwks_uri: `${discoveryUrl}/jwks` });
      if (req.url === '/jwks') return json(res, 200, { keys: [] });
      if (req.url === '/prm') return json(res, 200, { resource: 'https://api.example/' });
      json(res, 404, {});
    });
    const discoveryUrl = discovery.origin;
    const jwt = await new SignJWT({ sub: 'a', iss: discovery.origin })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('k'.repeat(32)));
    const api = await serve((req, res) => {
      if (req.url === '/openapi.json') return json(res, 200, { openapi: '3.0.0', paths: {} });
      if (req.headers.authorization?.startsWith('Bearer ey'))
        return json(res, 401, {}, { 'www-authenticate': `Bearer resource_metadata="${discovery.origin}/prm"` });
      json(res, 403, {});
    });
    const headers = CREDENTIAL_LINES.filter(([n]) => n !== 'Authorization');
    await diagnose({ url: `${api.origin}/me`, bearer: jwt, headers, timeoutMs: 2000 });
    await diagnose({ url: `${api.origin}/me`, headers, timeoutMs: 2000 });
    assert.ok(discovery.received.some((r) => r.url === '/jwks') && discovery.received.some((r) => r.url === '/prm'));
    assert.ok(!discovery.received.some((r) => r.headers.authorization), 'no Authorization reached discovery');
    assert.deepEqual(reached(discovery), []);
    const description = api.received.filter((r) => r.url === '/openapi.json');
    assert.ok(description.length > 0);
    assert.ok(description.every((r) => Object.keys(r.headers).every((n) => !/auth|cookie|key/i.test(n))));
  });

  it('no remedy resends to another port over http: a trailing-slash-looking Location to another origin', async () => {
    const other = await elsewhere();
    const start = await serve((req, res) => {
      res.writeHead(301, { location: `${other.origin}${req.url}/` });
      res.end();
    });
    const report = await diagnose({ url: `${start.origin}/api/items`, headers: CREDENTIAL_LINES, timeoutMs: 2000 });
    assert.ok(!report.exchanges.some((e) => e.probe === 'fix'), 'nothing is resent there');
    assert.deepEqual(reached(other), []);
  });

  it('the CSRF remedy echoes the cookie to the same URL only, once', async () => {
    const api = await serve((req, res) => {
      if (req.headers['x-csrftoken'] === CSRF) return json(res, 201, {});
      json(res, 403, { detail: 'CSRF Failed: CSRF token missing.' });
    });
    const report = await diagnose({
      url: `${api.origin}/orders`,
      method: 'POST',
      data: '{}',
      headers: [['Cookie', `sessionid=${SESSION}; csrftoken=${CSRF}`]],
      timeoutMs: 2000,
    });
    assert.equal(report.findings.find((f) => f.code === 'csrf_failed')?.tried?.verified, true);
    assert.equal(api.received.filter((r) => r.headers['x-csrftoken']).length, 1);
    assert.deepEqual(shown(report, [SESSION, CSRF]), []);
  });
});

describe('link-local addresses: where cloud metadata lives, never reached by a URL a server chose', () => {
  for (const target of [
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/',
    'http://[fe80::1]/',
  ]) {
    it(`a redirect to ${target} is not followed`, async () => {
      const server = await serve((_req, res) => {
        res.writeHead(302, { location: target });
        res.end();
      });
      const report = await diagnose({ url: `${server.origin}/me`, timeoutMs: 2000 });
      const hop = report.exchanges.find((e) => e.probe === 'redirect');
      assert.ok(hop, JSON.stringify(report.exchanges.map((e) => e.probe)));
      assert.equal(hop.response, undefined);
      assert.match(hop.error ?? '', /link-local/);
    });
  }

  it('a token whose issuer is link-local: its discovery document is not fetched', async () => {
    const server = await serve((_req, res) => json(res, 401, {}, { 'www-authenticate': 'Bearer' }));
    const token = unsignedJwt({ alg: 'RS256' }, { iss: 'http://169.254.169.254/', sub: 'x', exp: 4102444800 }, 'c2ln');
    const report = await diagnose({ url: `${server.origin}/me`, bearer: token, timeoutMs: 2000 });
    const metadata = report.exchanges.filter((e) => e.probe === 'issuer-metadata');
    assert.ok(metadata.length > 0);
    for (const e of metadata) assert.match(e.error ?? '', /link-local/);
  });

  it('a name that resolves normally (localhost) is still followed', async () => {
    const target = await serve((_req, res) => json(res, 200, {}));
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: `http://localhost:${target.port}/landing` });
      res.end();
    });
    const report = await diagnose({ url: `${server.origin}/me`, timeoutMs: 2000 });
    assert.equal(report.exchanges.find((e) => e.probe === 'redirect')?.response?.status, 200);
  });
});

describe('masking: a server that echoes every secret in every encoding', () => {
  const BASIC_PAIR = 'alice:adv-basic-password-0049';
  const KEY = 'adv-hmac-key-for-verification-0050-abcdef';

  /** Echoes everything it got, in every form, everywhere a report quotes. */
  function echo(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const all = [
      ...req.rawHeaders,
      req.url!,
      body.toString(),
      KEY, // as if the server knew the key too (it is its own)
    ].join('\n');
    const encoded = [
      all,
      Buffer.from(all).toString('base64'),
      encodeURIComponent(all),
      JSON.stringify(all),
      Buffer.from(BASIC_PAIR).toString('base64'),
    ].join('\n');
    if (req.url === '/openapi.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ openapi: '3.0.0', info: { description: encoded } }));
      return;
    }
    const first = (s: string) => encodeURIComponent(s).slice(0, 200);
    res.writeHead(401, `Refused ${first(TOKEN)} ${first(BASIC_PAIR)}`, {
      'content-type': 'text/plain',
      'x-echo': first(`${TOKEN} ${API_KEY} ${SESSION} ${KEY}`),
      location: `/x?t=${first(TOKEN)}&k=${first(KEY)}`,
    });
    res.end(encoded);
  }

  it('JSON, terminal and Markdown show no secret (the no-rule dump with bodies included)', async () => {
    const server = await serve(echo);
    const password = BASIC_PAIR.split(':')[1]!;
    const cookie: Array<[string, string]> = [['Cookie', `sessionid=${SESSION}; csrftoken=${CSRF}`]];
    const cases: Array<[Partial<Parameters<typeof diagnose>[0]>, string[]]> = [
      [{ bearer: TOKEN, headers: CREDENTIAL_LINES.slice(1) }, [...SECRETS, KEY]],
      [
        { basic: BASIC_PAIR, headers: CREDENTIAL_LINES.slice(1) },
        [...SECRETS.filter((s) => s !== TOKEN), KEY, password, BASIC_PAIR],
      ],
      [{ headers: cookie }, [SESSION, CSRF, QUERY_KEY, PASSWORD, KEY]],
    ];
    for (const [options, secrets] of cases) {
      const report = await diagnose({
        url: `${server.origin}/me?api_key=${QUERY_KEY}`,
        method: 'POST',
        data: `username=alice&password=${PASSWORD}`,
        keys: { keys: [{ kind: 'secret', bytes: new TextEncoder().encode(KEY) }], from: '--key' },
        timeoutMs: 2000,
        ...options,
      });
      assert.ok(
        report.exchanges.some((e) => e.response?.body.includes('username=alice')),
        'the server echoed the body',
      );
      assert.deepEqual(shown(report, secrets), [], JSON.stringify(Object.keys(options)));
    }
  });

  it('a JSON body echoed back (httpbin /post) shows none of its secret members', async () => {
    const server = await serve((_req, res, body) => json(res, 401, { json: JSON.parse(body.toString()) }));
    const report = await diagnose({
      url: `${server.origin}/token`,
      method: 'POST',
      headers: [['Content-Type', 'application/json']],
      data: JSON.stringify({ grant_type: 'password', user: { name: 'alice', password: PASSWORD }, apiKey: API_KEY }),
      timeoutMs: 2000,
    });
    assert.match(report.exchanges[0]!.response!.body, /alice/, 'the server echoed the body');
    assert.deepEqual(shown(report, [PASSWORD, API_KEY]), []);
  });

  it('`Authorization: $TOKEN` (no scheme) is not quoted as a scheme in the headline; the fix sends it as Bearer', async () => {
    const server = await serve((req, res) => {
      if (req.headers.authorization === `Bearer ${TOKEN}`) return json(res, 200, {});
      json(res, 401, { detail: 'Not authenticated' }, { 'www-authenticate': 'Bearer' });
    });
    const report = await diagnose({ url: `${server.origin}/me`, headers: [['Authorization', TOKEN]], timeoutMs: 2000 });
    assert.equal(server.received[0]!.headers.authorization, TOKEN, 'sent as given');
    assert.deepEqual(shown(report, [TOKEN]), []);
    const finding = report.findings.find((f) => f.code === 'scheme_mismatch');
    assert.match(finding?.title ?? '', /without a scheme/);
    assert.equal(finding?.tried?.verified, true);
  });

  it('a HAR entry with a secret query and a lone token shows neither', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { diagnoseHar } = await import('../../src/doctor/har.ts');
    const file = join(mkdtempSync(join(tmpdir(), 'adv-har-')), 'x.har');
    writeFileSync(
      file,
      JSON.stringify({
        log: {
          entries: [
            {
              request: {
                method: 'GET',
                url: `https://api.example/me?access_token=${QUERY_KEY}`,
                headers: [{ name: 'Authorization', value: TOKEN }],
              },
              response: {
                status: 401,
                statusText: 'Unauthorized',
                headers: [{ name: 'WWW-Authenticate', value: 'Bearer' }],
                content: { text: `{"detail":"Not authenticated"}` },
              },
            },
          ],
        },
      }),
    );
    const [report] = await diagnoseHar(file, { replay: false });
    assert.ok(report);
    assert.deepEqual(shown(report, [TOKEN, QUERY_KEY]), []);
  });

  it('a credential without a scheme and with stray whitespace is not quoted whole in the evidence', async () => {
    const server = await serve((_req, res) => json(res, 401, {}, { 'www-authenticate': 'Bearer' }));
    for (const value of [`${TOKEN} `, `"${TOKEN}"`, `Bearer\t${TOKEN} `]) {
      const report = await diagnose({
        url: `${server.origin}/me`,
        headers: [['Authorization', value]],
        timeoutMs: 2000,
      });
      if (value.startsWith('"'))
        assert.ok(
          report.findings.some((f) => f.code === 'credential_whitespace'),
          value,
        );
      assert.deepEqual(shown(report, [TOKEN]), [], JSON.stringify(value));
    }
  });
});

describe('bounds: time, bytes and requests a hostile server can make the doctor spend', () => {
  it('a body that drips a byte at a time ends within the time limit', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(401, { 'content-type': 'text/plain' });
      const drip = setInterval(() => res.write('.'), 50);
      res.on('close', () => clearInterval(drip));
    });
    const started = Date.now();
    const report = await diagnose({ url: `${server.origin}/me`, bearer: TOKEN, timeoutMs: 500 });
    const took = Date.now() - started;
    assert.ok(took < 5000, `took ${took} ms`);
    assert.ok(report.exchanges.length > 0);
  });

  it('an endless body read at full speed ends within the time limit', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(401, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const pump = () => {
        while (res.write(chunk)) {}
      };
      res.on('drain', pump);
      pump();
    });
    const started = Date.now();
    await diagnose({ url: `${server.origin}/me`, timeoutMs: 500 });
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });

  it('a description that drips or never ends is cut off too', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/openapi.json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"openapi":"3.0.0","x":"');
        const drip = setInterval(() => res.write('a'.repeat(1000)), 20);
        res.on('close', () => clearInterval(drip));
        return;
      }
      json(res, 401, {});
    });
    const started = Date.now();
    await diagnose({ url: `${server.origin}/me`, timeoutMs: 500 });
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });

  it('a Location that is no URL does not throw out of diagnose()', async () => {
    for (const location of [
      'http://[',
      'http://exa mple.com/',
      'http://:99999/',
      'file:///etc/passwd',
      'javascript:alert(1)',
    ]) {
      const server = await serve((_req, res) => {
        res.writeHead(302, { location });
        res.end();
      });
      const report = await diagnose({ url: `${server.origin}/me`, bearer: TOKEN, timeoutMs: 1000 });
      assert.equal(report.status, 302, location);
      assert.ok([0, 1, 2].includes(exitCode(report)));
      renderTerminal(report);
      renderMarkdown(report);
    }
  });

  it('odd answers (1xx-less 101, status 999, null JSON, a huge challenge) never throw', async () => {
    const answers: Array<(res: ServerResponse) => void> = [
      (res) => {
        res.writeHead(401, { 'content-type': 'application/problem+json' });
        res.end('null');
      },
      (res) => {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('[1,2,3]');
      },
      (res) => {
        res.writeHead(401, { 'www-authenticate': `Bearer ${'a="\\'.repeat(2000)}`, date: 'not a date' });
        res.end();
      },
      (res) => {
        res.writeHead(401, { 'www-authenticate': `${'Bearer, '.repeat(1500)}` });
        res.end();
      },
      (res) => {
        res.writeHead(999);
        res.end();
      },
    ];
    for (const answer of answers) {
      const server = await serve((_req, res) => answer(res));
      const started = Date.now();
      const report = await diagnose({ url: `${server.origin}/me`, bearer: TOKEN, timeoutMs: 1000 });
      assert.ok(Date.now() - started < 3000);
      renderTerminal(report);
    }
  });

  it('hostile OpenAPI documents: 3 MiB, deep nesting, $ref loops, odd types, __proto__ keys', async () => {
    const documents: string[] = [
      JSON.stringify({ openapi: '3.0.0', pad: 'x'.repeat(3 * 1024 * 1024) }),
      `{"openapi":"3.0.0","components":${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}}`,
      `${'['.repeat(500_000)}${']'.repeat(500_000)}`,
      JSON.stringify({
        openapi: '3.0.0',
        components: { securitySchemes: { A: { $ref: '#/components/securitySchemes/A' } } },
        paths: { '/me': { $ref: '#/paths/~1me' } },
      }),
      JSON.stringify({ openapi: '3.0.0', components: { securitySchemes: ['x'] }, paths: 'nope', servers: 7 }),
      JSON.stringify({ openapi: '3.0.0', components: { securitySchemes: null }, security: 'all' }),
      '{"openapi":"3.0.0","components":{"securitySchemes":{"__proto__":{"type":"apiKey","in":"header","name":"X-Polluted"}}},"paths":{"__proto__":{"get":{"security":[{"__proto__":[]}]}}},"__proto__":{"polluted":true}}',
      JSON.stringify({
        openapi: '3.0.0',
        servers: [{ url: 'http://[' }, { url: '{x}' }],
        paths: { '/{a}{b}{c}{d}{e}{f}{g}': {}, [`/${'{x}a'.repeat(2000)}`]: {} },
        components: { securitySchemes: { O: { type: 'oauth2', flows: { x: { tokenUrl: 'http://[' } } } } },
      }),
    ];
    for (const document of documents) {
      const server = await serve((req, res) => {
        if (req.url === '/openapi.json') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(document);
          return;
        }
        res.writeHead(401);
        res.end();
      });
      const started = Date.now();
      const report = await diagnose({ url: `${server.origin}/me`, bearer: TOKEN, timeoutMs: 2000 });
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
      assert.ok(JSON.stringify(report).length < 200_000, 'the report keeps a bounded part of a body');
    }
  });

  it('a hostile JWKS (odd keys, one kid for all, huge exponents) is read within the bounds', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    const keys = [
      ...Array.from({ length: 5 }, () => ({ ...jwk, kid: 'k', e: Buffer.alloc(256, 0xff).toString('base64url') })),
      { kty: 'oct', kid: 'k' },
      { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k' },
      { kid: { __proto__: 1 } },
      'nope',
      null,
    ];
    const issuer = await serve((req, res) => {
      if (req.url!.startsWith('/.well-known/')) return json(res, 200, { issuer: iss, jwks_uri: `${iss}/jwks` });
      json(res, 200, { keys });
    });
    const iss = issuer.origin;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwt = await new SignJWT({ iss })
      .setProtectedHeader({ alg: 'RS256', kid: 'k' })
      .setExpirationTime('5m')
      .sign(privateKey);
    const api = await serve((_req, res) => json(res, 401, {}, { 'www-authenticate': 'Bearer error="invalid_token"' }));
    const started = Date.now();
    const report = await diagnose({ url: `${api.origin}/me`, bearer: jwt, timeoutMs: 2000 });
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    assert.ok(report.findings.length > 0);
  });

  it('redirects, remedies and descriptions together send a bounded number of requests', async () => {
    let count = 0;
    const server = await serve((req, res) => {
      count++;
      if (req.url === '/openapi.json' || req.url === '/swagger.json' || req.url === '/api/openapi.json')
        return json(res, 200, {
          openapi: '3.0.0',
          components: { securitySchemes: { K: { type: 'apiKey', in: 'header', name: 'X-Key' } } },
        });
      // Always somewhere new, with or without a slash, never an answer.
      res.writeHead(307, { location: `/hop${count}${count % 2 ? '/' : ''}` });
      res.end();
    });
    const started = Date.now();
    const report = await diagnose({
      url: `${server.origin}/me`,
      method: 'POST',
      data: 'x',
      headers: [
        ['Authorization', `bearer  "${TOKEN}"`],
        ['Cookie', `csrftoken=${CSRF}`],
      ],
      origin: 'https://app.example',
      timeoutMs: 1000,
    });
    assert.ok(Date.now() - started < 10_000);
    assert.ok(count <= 20, `${count} requests`);
    assert.equal(report.exchanges.length, count);
  });
});

describe('verdicts a hostile or odd server can force', () => {
  it('identical refusals but for a per-answer nonce in the body are still "never received"', async () => {
    const server = await serve((_req, res) =>
      json(
        res,
        401,
        { detail: 'Not authenticated', request: Math.random().toString(36).slice(2, 12) },
        { 'www-authenticate': 'Bearer', via: '1.1 strip-proxy' },
      ),
    );
    const report = await diagnose({ url: `${server.origin}/me`, bearer: TOKEN, timeoutMs: 2000 });
    const raw = report.exchanges.filter((e) => e.probe !== 'as-given').map((e) => e.response?.status);
    assert.ok(raw.includes(401));
    assert.equal(report.findings[0]?.code, 'credentials_not_received', JSON.stringify(report.findings));
  });

  it('a POST through a same-origin 307 is performed once: by the redirect probe, not again by a fix', async () => {
    let performed = 0;
    const server = await serve((req, res) => {
      if (req.url === '/orders') {
        res.writeHead(307, { location: '/v2/orders' });
        res.end();
        return;
      }
      if (req.method === 'POST') performed++;
      json(res, 201, { id: performed });
    });
    const report = await diagnose({
      url: `${server.origin}/orders`,
      method: 'POST',
      data: '{"amount":100}',
      bearer: TOKEN,
      timeoutMs: 2000,
    });
    assert.equal(report.finalStatus, 201);
    assert.equal(performed, 1, 'the order was placed once');
  });

  it('a POST the canonical-scheme probe already performed is not performed again by the fix', async () => {
    let performed = 0;
    const server = await serve((req, res) => {
      if (req.headers.authorization === `Bearer ${TOKEN}`) {
        if (req.method === 'POST') performed++;
        return json(res, 201, {});
      }
      json(res, 401, {}, { 'www-authenticate': 'Bearer' });
    });
    const report = await diagnose({
      url: `${server.origin}/orders`,
      method: 'POST',
      data: '{}',
      headers: [['Authorization', `bearer ${TOKEN}`]],
      timeoutMs: 2000,
    });
    assert.ok(report.findings.some((f) => f.code === 'scheme_format'));
    assert.equal(performed, 1, 'the order was placed once');
  });

  it('a redirect to a sign-in page that answers 200 is not "it works"', async () => {
    const server = await serve((req, res) => {
      if (req.url!.startsWith('/accounts/login/')) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<form method="post"><input name="username"><input name="password" type="password"></form>');
        return;
      }
      res.writeHead(302, { location: `/accounts/login/?next=${encodeURIComponent(req.url!)}` });
      res.end();
    });
    const report = await diagnose({ url: `${server.origin}/api/orders/`, timeoutMs: 2000 });
    assert.equal(report.exchanges.at(-1)?.response?.status, 200, 'the sign-in page answers 200');
    assert.equal(exitCode(report), 1);
    assert.equal(report.findings[0]?.code, 'sign_in_redirect');
    assert.ok(!report.exchanges.some((e) => e.probe === 'fix'), 'nothing is resent to the sign-in page');
    assert.doesNotMatch(renderTerminal(report).split('\n')[0]!, /it works/);
  });

  it('a slash redirect under a path that merely names sign-in (/api/sso/settings) is a slash redirect', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/api/sso/settings') {
        res.writeHead(301, { location: '/api/sso/settings/' });
        res.end();
        return;
      }
      json(res, 200, {});
    });
    const report = await diagnose({ url: `${server.origin}/api/sso/settings`, timeoutMs: 2000 });
    assert.equal(report.outcome, 'success');
    assert.equal(report.findings[0]?.code, 'trailing_slash_redirect');
  });

  it('a redirect to another origin that answers 200 is not "it works" (success is same-origin only)', async () => {
    const other = await elsewhere();
    const start = await redirectingTo(() => `${other.origin}/sso/login`);
    const report = await diagnose({ url: `${start.origin}/api`, bearer: TOKEN, timeoutMs: 2000 });
    assert.equal(other.received.length, 1);
    assert.notEqual(report.outcome, 'success');
    assert.notEqual(exitCode(report), 0);
  });

  it('a same-origin redirect that keeps the API key in the query is followed with the key, not its mask', async () => {
    const server = await serve((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.searchParams.get('api_key') !== QUERY_KEY) return json(res, 401, { detail: 'bad key' });
      if (!url.pathname.endsWith('/')) {
        res.writeHead(301, { location: `${url.pathname}/${url.search}` });
        res.end();
        return;
      }
      json(res, 200, {});
    });
    const report = await diagnose({ url: `${server.origin}/api/items?api_key=${QUERY_KEY}`, timeoutMs: 2000 });
    assert.equal(server.received[1]!.url, `/api/items/?api_key=${QUERY_KEY}`, 'the redirect went where it pointed');
    assert.equal(report.finalStatus, 200);
    assert.equal(report.findings[0]?.code, 'trailing_slash_redirect');
    assert.deepEqual(shown(report, [QUERY_KEY]), []);
  });

  it('a cookie named like an Object member (toString, constructor) does not crash the CSRF remedy', async () => {
    const server = await serve((_req, res) => json(res, 403, { detail: 'CSRF Failed: CSRF token missing.' }));
    const report = await diagnose({
      url: `${server.origin}/orders`,
      method: 'POST',
      data: '{}',
      headers: [['Cookie', 'toString=1; constructor=2; __proto__=3; sessionid=abcdefgh']],
      timeoutMs: 2000,
    });
    assert.equal(report.findings[0]?.code, 'csrf_failed');
  });

  it("resource metadata about another API (RFC 9728 §3.3) is not read as this API's audience or issuers", async () => {
    const api = await serve((req, res) => {
      if (req.url === '/prm')
        return json(res, 200, {
          resource: 'https://another-api.example/',
          authorization_servers: ['https://login.another.example'],
        });
      json(res, 401, {}, { 'www-authenticate': `Bearer resource_metadata="http://${req.headers.host}/prm"` });
    });
    const jwt = await new SignJWT({ aud: `${api.origin}/`, iss: 'https://login.example' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('k'.repeat(32)));
    const report = await diagnose({ url: `${api.origin}/me`, bearer: jwt, timeoutMs: 2000 });
    const prm = report.exchanges.find((e) => e.probe === 'resource-metadata');
    assert.match(prm?.response?.body ?? '', /another-api\.example/, 'the metadata says another resource');
    const codes = report.findings.map((f) => f.code);
    assert.ok(!codes.includes('audience_mismatch') && !codes.includes('issuer_mismatch'), JSON.stringify(codes));
  });

  it('URL userinfo is sent as Basic credentials (as curl does), not silently dropped', async () => {
    const server = await serve((req, res) => {
      if (req.headers.authorization === `Basic ${Buffer.from('alice:wonderland-9').toString('base64')}`)
        return json(res, 200, {});
      json(res, 401, {}, { 'www-authenticate': 'Basic realm="api"' });
    });
    const url = new URL(`${server.origin}/me`);
    url.username = 'alice';
    url.password = 'wonderland-9';
    const report = await diagnose({ url: url.href, timeoutMs: 2000 });
    assert.equal(server.received[0]!.headers.authorization?.startsWith('Basic '), true);
    assert.equal(report.outcome, 'success');
    assert.deepEqual(shown(report, ['wonderland-9']), []);
  });
});

describe('the CLI with odd flags', () => {
  const usage: string[][] = [
    ['doctor', '--har', 'x.har', '--key', 'secret-key-0051'],
    ['doctor', 'ftp://127.0.0.1/'],
    ['doctor', 'http://127.0.0.1:1/', '--basic', 'no-colon-secret-0052'],
    ['doctor', '--curl', 'curl'],
    ['doctor', '--curl', ''],
    ['doctor', '--curl', "curl 'http://[::1'"],
    ['doctor', '--curl', 'curl -u alice http://127.0.0.1:1/'],
    ['doctor', '--curl', 'curl --header=Authorization:secret-0053 http://127.0.0.1:1/'],
    ['doctor', '--', 'curl', '--frobnicate', 'http://127.0.0.1:1/'],
    ['doctor', '--', 'wget', 'http://127.0.0.1:1/'],
    ['doctor', 'http://127.0.0.1:1/', '--timeout', '-1'],
  ];
  for (const args of usage) {
    it(`${JSON.stringify(args.slice(1))}: exit 64, no stack trace, no secret`, async () => {
      const result = await gatehouse(...args);
      assert.equal(result.code, 64, result.stdout + result.stderr);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      assert.doesNotMatch(result.stdout + result.stderr, /secret-00\d\d/);
      assert.match(result.stderr.split('\n')[0]!, /^gatehouse doctor/);
    });
  }

  it('a --timeout beyond what a timer holds is bad usage, not a warning and probes cut short', async () => {
    const result = await gatehouse('doctor', 'http://127.0.0.1:1/', '--timeout', '100000000');
    assert.equal(result.code, 64, result.stdout + result.stderr);
    assert.doesNotMatch(result.stderr, /TimeoutOverflowWarning/);
    assert.match(result.stderr.split('\n')[0]!, /--timeout takes seconds/);
  });

  it('a method that is no HTTP token is bad usage, in one line', async () => {
    for (const method of ['GE T', 'GET\r\nX-Injected: 1']) {
      const result = await gatehouse('doctor', 'http://127.0.0.1:1/', '-X', method);
      assert.equal(result.code, 64, result.stdout + result.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.equal(result.stdout, '');
    }
  });
});

describe('second pass: the depth-1 diagnosis of where a same-origin redirect chain ends', () => {
  it('a secret the inner diagnosis no longer sends (a 303 dropped the form body, the Location the query) stays masked when echoed', async () => {
    let posted = '';
    const server = await serve((req, res, body) => {
      if (req.method === 'POST') {
        posted = body.toString();
        res.writeHead(303, { location: '/home' });
        res.end();
        return;
      }
      // The page after the form remembers what was posted (a session, a debug page) and shows it.
      json(res, 401, { detail: 'Not authenticated', youPosted: posted, from: req.url, key: QUERY_KEY });
    });
    const report = await diagnose({
      url: `${server.origin}/login?api_key=${QUERY_KEY}`,
      method: 'POST',
      data: `username=alice&password=${PASSWORD}`,
      headers: [['Cookie', `sessionid=${SESSION}`]],
      timeoutMs: 2000,
    });
    assert.ok(
      report.exchanges.some((e) => e.probe === 'final-url'),
      'the end of the chain was diagnosed',
    );
    assert.deepEqual(shown(report, [PASSWORD, QUERY_KEY, SESSION]), []);
  });

  it('credentials given as URL userinfo go on to the final URL as they did through the redirect', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/a') {
        res.writeHead(307, { location: '/b' });
        res.end();
        return;
      }
      json(res, 401, { detail: req.headers.authorization ? 'Invalid password' : 'Not authenticated' });
    });
    const url = new URL(`${server.origin}/a`);
    url.username = 'alice';
    url.password = 'adv-userinfo-pass-0061';
    const report = await diagnose({ url: url.href, timeoutMs: 2000 });
    const hop = server.received.find((r) => r.url === '/b');
    assert.match(String(hop?.headers.authorization), /^Basic /, 'the redirect hop carried the Basic credentials');
    const final = report.exchanges.find((e) => e.probe === 'final-url');
    assert.ok(
      final?.request.headers.some(([n]) => n.toLowerCase() === 'authorization'),
      'the final URL is diagnosed with the credentials the client sent there',
    );
    assert.deepEqual(shown(report, ['adv-userinfo-pass-0061']), []);
  });

  it('userinfo a server puts in a same-origin Location is not sent as credentials of its choosing', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/a') {
        res.writeHead(302, { location: `http://mallory:chosen@127.0.0.1:${(req.socket.localPort ?? 0).toString()}/b` });
        res.end();
        return;
      }
      json(res, 401, {});
    });
    await diagnose({ url: `${server.origin}/a`, headers: [['Cookie', `sessionid=${SESSION}`]], timeoutMs: 2000 });
    assert.ok(server.received.some((r) => r.url === '/b'));
    for (const r of server.received) assert.equal(r.headers.authorization, undefined, `${r.method} ${r.url}`);
  });

  it('a POST through a 307 whose end a fix makes succeed is performed once, outer and inner diagnosis together', async () => {
    let placed = 0;
    const server = await serve((req, res) => {
      if (req.url === '/orders') {
        res.writeHead(307, { location: '/v2/orders' });
        res.end();
        return;
      }
      if (req.headers.authorization === `Bearer ${TOKEN}` && req.method === 'POST') {
        placed++;
        json(res, 201, { id: placed });
        return;
      }
      json(res, 401, {}, { 'www-authenticate': 'Bearer' });
    });
    const report = await diagnose({
      url: `${server.origin}/orders`,
      method: 'POST',
      data: '{"amount":1}',
      headers: [['Authorization', `bearer ${TOKEN}`]],
      timeoutMs: 2000,
    });
    assert.equal(placed, 1, JSON.stringify(report.exchanges.map((e) => `${e.probe} ${e.response?.status}`)));
    assert.equal(report.performed?.length, 1, JSON.stringify(report.performed));
  });

  it("a POST the final URL takes when the inner diagnosis re-sends it is in the report's performed list", async () => {
    let tries = 0;
    const server = await serve((req, res) => {
      if (req.url === '/orders') {
        res.writeHead(307, { location: '/v2/orders' });
        res.end();
        return;
      }
      // A flaky backend: refuses the first POST that reaches it, takes the next.
      tries++;
      if (tries === 1) {
        json(res, 401, {}, { 'www-authenticate': 'Bearer' });
        return;
      }
      json(res, 201, { id: tries });
    });
    const report = await diagnose({
      url: `${server.origin}/orders`,
      method: 'POST',
      data: '{}',
      bearer: TOKEN,
      timeoutMs: 2000,
    });
    const took = report.exchanges.filter((e) => e.request.method === 'POST' && e.response?.status === 201);
    assert.equal(took.length, 1, 'performed once');
    assert.deepEqual(
      report.performed,
      took.map((e) => `${e.probe} 201`),
    );
  });

  it('a chain that ends in a 4xx doubles the probes at most: the whole run stays bounded', async () => {
    let count = 0;
    const server = await serve((req, res) => {
      count++;
      const path = req.url ?? '';
      if (path.startsWith('/.well-known/') || path.endsWith('openapi.json') || path.endsWith('swagger.json')) {
        json(res, 404, {});
        return;
      }
      const hop = /^\/h(\d+)/.exec(path);
      const n = hop ? Number(hop[1]) : 0;
      if (n < 9) {
        res.writeHead(307, {
          location: `/h${n + 1}`,
          'www-authenticate': `Bearer resource_metadata="http://127.0.0.1:${req.socket.localPort}/.well-known/prm"`,
        });
        res.end();
        return;
      }
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ nonce: Math.random() }));
    });
    const jwt = unsignedJwt({ alg: 'RS256' }, { iss: server.origin, exp: 4102444800 }, 'c2ln');
    const report = await diagnose({
      url: `${server.origin}/start`,
      method: 'POST',
      data: 'x',
      headers: [
        ['Authorization', `bearer  "${jwt}"`],
        ['Cookie', `csrftoken=${CSRF}`],
      ],
      origin: 'https://app.example',
      timeoutMs: 1000,
    });
    assert.equal(report.exchanges.length, count);
    assert.ok(count <= 45, `${count} requests`);
  });
});

describe('second pass: link-local addresses in every spelling a Location can take', () => {
  const spellings = [
    'http://2852039166/latest/meta-data/',
    'http://0xa9fea9fe/latest/meta-data/',
    'http://0251.0376.0251.0376/latest/meta-data/',
    'http://169.254.169.254./latest/meta-data/',
    'http://169.254.43518/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[0:0:0:0:0:ffff:169.254.169.254]/',
    'http://[FE80::1]/',
    // SIIT's IPv4-translated form and NAT64's well-known prefix carry the IPv4 address in their last 32 bits.
    'http://[::ffff:0:a9fe:a9fe]/',
    'http://[64:ff9b::169.254.169.254]/',
    // AWS's instance metadata over IPv6 (Nitro): a unique-local address, not a link-local one.
    'http://[fd00:ec2::254]/latest/meta-data/',
    // Alibaba Cloud's metadata service, in the shared address space rather than link-local.
    'http://100.100.100.200/latest/meta-data/',
  ];
  for (const target of spellings) {
    it(`a redirect to ${target} is not sent`, async () => {
      assert.doesNotThrow(() => new URL(target), 'Node reads it as a URL');
      const server = await serve((_req, res) => {
        res.writeHead(302, { location: target });
        res.end();
      });
      const report = await diagnose({ url: `${server.origin}/me`, timeoutMs: 1000 });
      const hop = report.exchanges.find((e) => e.probe === 'redirect');
      assert.ok(hop, JSON.stringify(report.exchanges.map((e) => e.probe)));
      assert.equal(hop.response, undefined);
      assert.match(hop.error ?? '', /not sent: .* may not lead to/);
    });
  }

  it('a zone id (fe80::1%25eth0) is no URL to Node: nothing is sent and diagnose() does not throw', async () => {
    assert.throws(() => new URL('http://[fe80::1%25eth0]/'));
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: 'http://[fe80::1%25eth0]/' });
      res.end();
    });
    const report = await diagnose({ url: `${server.origin}/me`, timeoutMs: 1000 });
    assert.equal(report.exchanges.filter((e) => e.probe === 'redirect').length, 0);
  });

  it('an IPv4-compatible address (::127.0.0.1) does not reach the IPv4 host on this system', async () => {
    const target = await serve((_req, res) => json(res, 200, {}));
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: `http://[::127.0.0.1]:${target.port}/` });
      res.end();
    });
    const report = await diagnose({ url: `${server.origin}/me`, timeoutMs: 1000 });
    assert.equal(target.received.length, 0);
    assert.equal(report.exchanges.find((e) => e.probe === 'redirect')?.response, undefined);
  });
});

describe('second pass: preflight_refused on preflights a browser accepts', () => {
  /** An API whose preflight answer is the given header lines (raw, so a name may repeat). */
  const api = (lines: string[]) =>
    serve((req, res) => {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, lines);
        res.end();
        return;
      }
      json(res, 200, { ok: true }, { 'access-control-allow-origin': 'https://app.example' });
    });

  it('Authorization listed in other case, over several header lines: no finding', async () => {
    const server = await api([
      'Access-Control-Allow-Origin',
      'https://app.example',
      'Access-Control-Allow-Methods',
      'GET, PUT',
      'Access-Control-Allow-Headers',
      'x-trace',
      'Access-Control-Allow-Headers',
      'AUTHORIZATION',
    ]);
    const report = await diagnose({
      url: `${server.origin}/me`,
      method: 'PUT',
      headers: [
        ['Authorization', `Bearer ${TOKEN}`],
        ['X-Trace', '1'],
      ],
      origin: 'https://app.example',
      timeoutMs: 2000,
    });
    const preflight = report.exchanges.find((e) => e.probe === 'preflight');
    assert.equal(preflight?.response?.status, 204);
    assert.deepEqual(report.findings, []);
    assert.equal(exitCode(report), 0);
  });

  it('a Cookie and a form body are not headers a browser asks a preflight for: no finding', async () => {
    const server = await api([
      'Access-Control-Allow-Origin',
      'https://app.example',
      'Access-Control-Allow-Credentials',
      'true',
      'Access-Control-Allow-Methods',
      'POST',
      'Access-Control-Allow-Headers',
      'Authorization',
    ]);
    const report = await diagnose({
      url: `${server.origin}/me`,
      method: 'POST',
      data: 'a=1',
      headers: [
        ['Authorization', `Bearer ${TOKEN}`],
        ['Cookie', `sessionid=${SESSION}`],
        ['Accept-Language', 'en'],
      ],
      origin: 'https://app.example',
      timeoutMs: 2000,
    });
    const preflight = report.exchanges.find((e) => e.probe === 'preflight');
    const asked = preflight?.request.headers.find(([n]) => /request-headers/i.test(n))?.[1] ?? '';
    assert.doesNotMatch(asked, /cookie|content-type|accept-language/i, asked);
    assert.deepEqual(
      report.findings.map((f) => f.code),
      [],
    );
  });

  it('a credentialed call (a Cookie) answered `Access-Control-Allow-Origin: *` is refused by browsers: named', async () => {
    const server = await api([
      'Access-Control-Allow-Origin',
      '*',
      'Access-Control-Allow-Methods',
      '*',
      'Access-Control-Allow-Headers',
      'Authorization, X-Trace',
    ]);
    const report = await diagnose({
      url: `${server.origin}/me`,
      method: 'PUT',
      headers: [
        ['X-Trace', '1'],
        ['Cookie', `sessionid=${SESSION}`],
      ],
      origin: 'https://app.example',
      timeoutMs: 2000,
    });
    assert.equal(report.findings[0]?.code, 'preflight_refused', JSON.stringify(report.findings));
    assert.deepEqual(shown(report, [SESSION]), []);
  });
});

describe('second pass: the CLI', () => {
  it('--key naming a missing .pem whose path has a space is bad usage, not an HMAC secret', async () => {
    const result = await gatehouse('doctor', 'http://127.0.0.1:1/', '--key', '/tmp/no such dir/public.pem');
    assert.equal(result.code, 64, result.stdout + result.stderr);
    assert.match(result.stderr.split('\n')[0]!, /no such file exists/);
  });

  it('--key naming a directory is bad usage, not its path used as a secret', async () => {
    const result = await gatehouse('token', 'inspect', 'a.b.c', '--key', join(process.cwd(), 'test'));
    assert.equal(result.code, 64, result.stdout + result.stderr);
  });

  it('a header name that is no HTTP token is bad usage in one line, not "no response"', async () => {
    const result = await gatehouse('doctor', 'http://127.0.0.1:1/', '-H', 'X Api Key: adv-secret-0062');
    assert.equal(result.code, 64, result.stdout + result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.doesNotMatch(result.stdout + result.stderr, /adv-secret-0062/);
  });

  it('doctor --help and token --help: usage on stdout, exit 0, even beside other flags', async () => {
    for (const args of [
      ['doctor', '--help'],
      ['doctor', 'http://127.0.0.1:1/', '--bearer', 'x', '-h'],
      ['token', '--help'],
      ['token', 'inspect', '-h'],
    ]) {
      const result = await gatehouse(...args);
      assert.equal(result.code, 0, JSON.stringify(args));
      assert.match(result.stdout, /gatehouse (doctor|token)/);
      assert.equal(result.stderr, '');
    }
  });
});
