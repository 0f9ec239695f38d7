/**
 * What the doctor reads of the API's RFC 9728 document and its authorization server's RFC 8414
 * metadata, against loopback servers: another resource, an issuer other than the one read for, and
 * a token minted for another resource (RFC 8707).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnose } from '../../src/doctor/index.ts';
import { codes, finding } from '../support/doctor-runs.ts';
import { unsignedJwt } from '../support/jwt.ts';
import { json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();
const PRM = '/.well-known/oauth-protected-resource';
const inTenMinutes = () => Math.floor(Date.now() / 1000) + 600;
const NEW_CODES = ['resource_metadata_mismatch', 'metadata_issuer_mismatch', 'audience_mismatch'];

/** An API that refuses with a challenge naming its resource metadata; `resource` and `servers` are what it publishes. */
async function api(resource: (origin: string) => string, servers: string[]) {
  return serve((req, res) => {
    const origin = `http://${req.headers.host}`;
    if (req.url === PRM) return json(res, 200, { resource: resource(origin), authorization_servers: servers });
    json(res, 401, {}, { 'www-authenticate': `Bearer resource_metadata="${origin}${PRM}"` });
  });
}

/** An authorization server whose metadata names `issuer` (its own origin unless told). */
async function authorizationServer(issuer?: string) {
  return serve((req, res) =>
    req.url === '/.well-known/oauth-authorization-server'
      ? json(res, 200, {
          issuer: issuer ?? `http://${req.headers.host}`,
          token_endpoint: `http://${req.headers.host}/token`,
        })
      : json(res, 404, {}),
  );
}

describe('RFC 9728 and RFC 8414 metadata', () => {
  it('resource_metadata_mismatch: the document names another resource (no token needed to see it)', async () => {
    const as = await authorizationServer();
    const server = await api(() => 'https://other.api.example/', [as.origin]);
    const report = await diagnose({ url: `${server.origin}/me`, timeoutMs: 3000 });
    const found = finding(report, 'resource_metadata_mismatch');
    assert.deepEqual(found.evidence.slice(0, 3), [
      `  called: ${server.origin}/me`,
      `  resource metadata: ${server.origin}${PRM}`,
      '  its resource = "https://other.api.example/"',
    ]);
    assert.match(found.fix, /RFC 9728 §3\.3/);
    // The document is not used: its authorization servers are not asked.
    assert.equal(as.received.length, 0);
  });

  it("metadata_issuer_mismatch: the authorization server's metadata names another issuer", async () => {
    const as = await authorizationServer('https://playground.gatehouse.test');
    const server = await api((origin) => `${origin}/`, [as.origin]);
    const report = await diagnose({ url: `${server.origin}/me`, timeoutMs: 3000 });
    const found = finding(report, 'metadata_issuer_mismatch');
    assert.deepEqual(found.evidence, [
      `  read for issuer: "${as.origin}"`,
      `  metadata: ${as.origin}/.well-known/oauth-authorization-server`,
      '  its issuer = "https://playground.gatehouse.test"',
    ]);
    assert.match(found.fix, /RFC 8414 §3\.3.*URL clients reach it at.*proxy's public URL/);
  });

  it('audience_mismatch: a token for another resource, the fix naming the resource indicator (RFC 8707)', async () => {
    const as = await authorizationServer();
    const server = await api((origin) => `${origin}/`, [as.origin]);
    const token = unsignedJwt(
      { alg: 'HS256' },
      { iss: as.origin, aud: 'https://other.api.example/', exp: inTenMinutes() },
      'c2ln',
    );
    const report = await diagnose({ url: `${server.origin}/me`, bearer: token, timeoutMs: 3000 });
    const found = finding(report, 'audience_mismatch');
    assert.ok(found.evidence.includes(`  the API's resource metadata (RFC 9728): resource = "${server.origin}/"`));
    assert.ok(
      found.fix.includes(`send resource="${server.origin}/" in the authorization and token requests (RFC 8707`),
    );
    assert.ok(!codes(report).includes('metadata_issuer_mismatch'));
  });

  it('a consistent API and authorization server, and a token for this API: none of these findings', async () => {
    const as = await authorizationServer();
    const server = await api((origin) => `${origin}/`, [as.origin]);
    const token = unsignedJwt(
      { alg: 'HS256' },
      { iss: as.origin, aud: `${server.origin}/`, exp: inTenMinutes() },
      'c2ln',
    );
    for (const options of [{}, { bearer: token }]) {
      const report = await diagnose({ url: `${server.origin}/me`, timeoutMs: 3000, ...options });
      assert.deepEqual(
        codes(report).filter((c) => NEW_CODES.includes(c)),
        [],
      );
      assert.ok(report.exchanges.some((e) => e.probe === 'issuer-metadata' && e.response?.status === 200));
    }
  });
});
