/**
 * The API's own description of its credentials (issue 15 point 6): a 401 or 403 that names no
 * scheme is explained from its OpenAPI or Swagger document.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnose } from '../../src/doctor/index.ts';
import { assertMasked } from '../support/doctor-masking.ts';
import { json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();
const KEY = 'key-0a1b2c3d4e5f6a7b8c9d';

describe("the API's description names the credentials", () => {
  /**
   * FastAPI's APIKeyHeader: a bare 403 {"detail":"Not authenticated"} without the key, and the
   * scheme in /openapi.json (two schemes declared, the operation requires the key).
   */
  const description = (padding = 0) => ({
    openapi: '3.0.2',
    info: { title: 'things', version: '1' },
    paths: {
      '/things/{id}': {
        get: { security: [{ ThingKey: [] }], responses: {}, description: 'x'.repeat(padding) },
      },
      '/users/me': { get: { security: [{ OAuth2PasswordBearer: [] }], responses: {} } },
    },
    components: {
      securitySchemes: {
        OAuth2PasswordBearer: { type: 'oauth2', flows: { password: { tokenUrl: 'token', scopes: {} } } },
        ThingKey: { type: 'apiKey', in: 'header', name: 'X-Thing-Key' },
      },
    },
  });
  const keyServer = (padding = 0, path = '/openapi.json') =>
    serve((req, res) => {
      if (req.url === path) return json(res, 200, description(padding));
      if (req.url?.startsWith('/things/')) {
        if (req.headers['x-thing-key'] === KEY) return json(res, 200, { id: 1 });
        return json(res, 403, { detail: req.headers['x-thing-key'] ? 'Forbidden' : 'Not authenticated' });
      }
      json(res, 404, { detail: 'Not Found' });
    });

  it('a 403 with no challenge: the fix names the header the description declares', async () => {
    const server = await keyServer();
    const report = await diagnose({ url: `${server.origin}/things/7`, timeoutMs: 3000 });
    const finding = report.findings[0]!;
    assert.equal(finding.code, 'forbidden_instead_of_401');
    assert.match(finding.fix, /ThingKey \(-H 'X-Thing-Key: KEY'\), as \/openapi\.json describes it/);
    assert.doesNotMatch(finding.fix, /OAuth2PasswordBearer/, 'only the scheme this operation requires');
    const asked = server.received.find((r) => r.url === '/openapi.json');
    assert.ok(asked);
    assert.deepEqual([asked.method, asked.headers.authorization], ['GET', undefined]);
  });

  it('a key sent as Bearer: scheme_mismatch, and the same key in X-Thing-Key is verified', async () => {
    const server = await keyServer();
    const report = await diagnose({ url: `${server.origin}/things/7`, bearer: KEY, timeoutMs: 3000 });
    const finding = report.findings[0]!;
    assert.equal(finding.code, 'scheme_mismatch');
    assert.equal(finding.title, "The API's description does not declare the Bearer scheme");
    assert.ok(finding.evidence.includes('(/openapi.json declares ThingKey: API key in header X-Thing-Key)'));
    assert.deepEqual(finding.tried, {
      change: 'sent the same credential in the X-Thing-Key header',
      verified: true,
      status: 200,
    });
    const resent = server.received.at(-1)!;
    assert.deepEqual([resent.headers['x-thing-key'], resent.headers.authorization], [KEY, undefined]);
    assertMasked(report, KEY);
  });

  it('a description larger than a report keeps is still read to its end, and kept short in the report', async () => {
    const server = await keyServer(200_000);
    const report = await diagnose({ url: `${server.origin}/things/7`, timeoutMs: 3000 });
    assert.match(report.findings[0]!.fix, /-H 'X-Thing-Key: KEY'/);
    const recorded = report.exchanges.find((e) => e.probe === 'api-description')!;
    assert.ok(recorded.response!.body.length <= 16_385, `${recorded.response!.body.length} characters kept`);
  });

  it('Swagger 2 at /swagger.json: a 401 without a challenge names the header', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/swagger.json')
        return json(res, 200, {
          swagger: '2.0',
          basePath: '/v1',
          paths: { '/orders': { get: { security: [{ key: [] }] } } },
          securityDefinitions: { key: { type: 'apiKey', in: 'header', name: 'X-Order-Key' }, basic: { type: 'basic' } },
        });
      json(res, req.url === '/v1/orders' ? 401 : 404, { message: 'Unauthorized' });
    });
    const report = await diagnose({ url: `${server.origin}/v1/orders`, timeoutMs: 3000 });
    assert.equal(report.findings[0]?.code, 'credentials_missing');
    assert.equal(
      report.findings[0]!.fix,
      "Send credentials in a scheme the server offers: key (-H 'X-Order-Key: KEY'), as /swagger.json describes it.",
    );
    assert.deepEqual(
      report.exchanges.filter((e) => e.probe === 'api-description').map((e) => e.response?.status),
      [404, 200],
    );
  });

  it('a 401 with a challenge asks for no description', async () => {
    const server = await serve((_req, res) => json(res, 401, {}, { 'www-authenticate': 'Bearer realm="api"' }));
    const report = await diagnose({ url: `${server.origin}/me`, timeoutMs: 3000 });
    assert.ok(!report.exchanges.some((e) => e.probe === 'api-description'));
    assert.ok(!server.received.some((r) => r.url === '/openapi.json'));
  });
});
