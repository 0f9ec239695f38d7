/**
 * Attacks on credentials that follow a redirect: a server (or whoever controls a Location) sends
 * the client to another origin, or from https down to http, hoping the credentials come along.
 * Two real loopback origins (two servers on different ports) count what reached them.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { apiKey, CREDENTIAL_HEADERS, createClient } from '../../src/client/index.ts';
import { diagnose } from '../../src/doctor/index.ts';
import * as root from '../../src/http/index.ts';
import { selfSignedCertificate } from '../support/self-signed.ts';
import { json, serverPerTest, type TestServer } from '../support/server.ts';

const serve = serverPerTest();

/** Every credential-bearing header a caller may set in the client's `headers`, with a value. */
const CREDENTIALS: Record<string, string> = {
  'x-api-key': 'redirect-secret-x-api-key',
  'api-key': 'redirect-secret-api-key',
  'x-auth-token': 'redirect-secret-x-auth-token',
  'x-access-token': 'redirect-secret-x-access-token',
  'x-csrf-token': 'redirect-secret-x-csrf-token',
  'proxy-authorization': 'Basic cmVkaXJlY3Q6c2VjcmV0',
  cookie: 'sid=redirect-secret-cookie',
};

/** The other origin: reports every header it received. */
const otherOrigin = () => serve((req, res) => json(res, 200, { headers: req.headers }));
/** The starting origin: redirects every request to `target`. */
const redirecting = (target: () => string, status = 302) =>
  serve((_req, res) => {
    res.writeHead(status, { location: target() });
    res.end();
  });

function leaked(received: TestServer): string[] {
  const values = received.received.flatMap((r) => Object.values(r.headers).flat());
  return Object.values(CREDENTIALS).filter((secret) => values.some((v) => String(v).includes(secret)));
}

describe('credentials and redirects to another origin', () => {
  it('exports one list of credential-bearing header names from the package root', () => {
    assert.equal(root.CREDENTIAL_HEADERS, CREDENTIAL_HEADERS);
    for (const name of [...Object.keys(CREDENTIALS), 'authorization'])
      assert.ok(CREDENTIAL_HEADERS.includes(name), `${name} is in the list`);
    assert.ok(root.isCredentialHeader('X-API-Key'), 'case-insensitive');
    assert.ok(!root.isCredentialHeader('idempotency-key'), 'an idempotency key is not a credential');
  });

  for (const status of [301, 302, 303, 307, 308]) {
    it(`drops every credential header set in the client's headers on a ${status} to another origin`, async () => {
      const other = await otherOrigin();
      const start = await redirecting(() => `${other.url}landing`, status);
      const events: string[][] = [];
      const client = createClient({ headers: CREDENTIALS, onRedirect: (e) => events.push(e.dropped) });
      const answer = await client.get(`${start.url}go`);
      assert.equal(answer.status, 200);
      assert.deepStrictEqual(leaked(other), [], 'nothing secret reached the other origin');
      assert.equal(other.received.length, 1);
      assert.equal(other.received[0]!.headers['x-trace'], undefined);
      assert.deepStrictEqual(events[0]!.sort(), Object.keys(CREDENTIALS).sort());
      assert.deepStrictEqual(leaked(start).sort(), Object.values(CREDENTIALS).sort(), 'the first origin got them all');
    });
  }

  it("drops an apiKey() strategy's header and a per-call X-Auth-Token, and keeps harmless headers", async () => {
    const other = await otherOrigin();
    const start = await redirecting(() => `${other.url}landing`);
    const client = createClient({ auth: apiKey({ header: 'X-API-Key' }, CREDENTIALS['x-api-key']!) });
    await client.get(`${start.url}go`, {
      headers: { 'x-auth-token': CREDENTIALS['x-auth-token']!, 'x-trace': 'trace-1' },
    });
    assert.deepStrictEqual(leaked(other), []);
    assert.equal(other.received[0]!.headers['x-trace'], 'trace-1', 'a harmless header still follows');
  });

  it("applies only the strategy's credentials at a trusted origin: headers set by hand never follow", async () => {
    const third = await otherOrigin();
    const trusted = await serve((req, res) => {
      if (req.url === '/hop') {
        res.writeHead(302, { location: `${third.url}end` });
        res.end();
        return;
      }
      json(res, 200, {});
    });
    const start = await redirecting(() => `${trusted.url}hop`);
    const key = 'redirect-secret-strategy-key';
    const client = createClient({
      auth: apiKey({ header: 'X-Auth-Token' }, key),
      headers: CREDENTIALS,
      redirect: { trustedOrigins: [trusted.origin] },
    });
    await client.get(`${start.url}go`);
    assert.equal(trusted.received[0]!.headers['x-auth-token'], key, 'the strategy applies at the trusted origin');
    assert.deepStrictEqual(leaked(trusted), [], 'headers set by hand did not follow');
    assert.equal(third.received[0]!.headers['x-auth-token'], undefined, 'nor anything to the origin after it');
    assert.deepStrictEqual(leaked(third), []);
  });

  it('a back-and-forth through another origin does not bring them back', async () => {
    let startUrl = '';
    const other = await serve((_req, res) => {
      res.writeHead(302, { location: `${startUrl}back` });
      res.end();
    });
    const start = await serve((req, res) => {
      if (req.url === '/go') {
        res.writeHead(302, { location: `${other.url}away` });
        res.end();
        return;
      }
      json(res, 200, {});
    });
    startUrl = start.url;
    await createClient({ headers: CREDENTIALS }).get(`${start.url}go`);
    assert.deepStrictEqual(leaked(other), []);
    assert.equal(start.received.length, 2);
    assert.deepStrictEqual(
      Object.values(CREDENTIALS).filter((v) => Object.values(start.received[1]!.headers).includes(v)),
      [],
      'headers dropped on the way out stay dropped (the strategy alone applies credentials again)',
    );
  });

  it('the doctor counts the same headers as credentials and does not carry them to another origin', async () => {
    const other = await otherOrigin();
    const start = await redirecting(() => `${other.url}landing`);
    const report = await diagnose({
      url: `${start.url}go`,
      headers: [['X-Access-Token', CREDENTIALS['x-access-token']!]],
      timeoutMs: 3000,
    });
    assert.ok(report.exchanges.some((e) => e.probe === 'redirect'));
    assert.deepStrictEqual(leaked(other), []);
    const shown = JSON.stringify(report);
    assert.ok(!shown.includes(CREDENTIALS['x-access-token']!), 'and masks it in the report');
  });
});

describe('redirects from https down to http', () => {
  it("drop every credential header, and the strategy's, even to an http origin listed as trusted", async () => {
    const { cert, key } = selfSignedCertificate();
    const worker = join(import.meta.dirname, '../support/https-downgrade-worker.ts');
    const { stdout } = await promisify(execFile)(process.execPath, [worker, cert, key, JSON.stringify(CREDENTIALS)], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: cert },
      timeout: 20_000,
    });
    const { direct, redirected, trustedRedirected } = JSON.parse(stdout);
    assert.equal(direct.authorization, 'Bearer token-for-https-only');
    for (const [name, value] of Object.entries(CREDENTIALS)) assert.equal(direct.headers[name], value);
    for (const answer of [redirected, trustedRedirected]) {
      assert.equal(answer.authorization, null);
      for (const name of Object.keys(CREDENTIALS)) assert.equal(answer.headers[name], undefined, name);
    }
  });
});
