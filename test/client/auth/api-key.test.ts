import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiKey, createClient, INVALID_ARGUMENT, UnauthorizedError } from '../../../src/client/index.ts';
import { json, startServer, type TestServer } from '../../support/server.ts';

describe('apiKey()', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const key = req.headers['x-api-key'] ?? url.searchParams.get('api_key');
      if (key === 'k-0123456789abcdef') return json(res, 200, { ok: true });
      json(res, 401, { ok: false }, { 'www-authenticate': 'ApiKey realm="api"' });
    });
  });
  after(() => server.close());

  it('sends the key in a header', async () => {
    const client = createClient({ baseUrl: server.url, auth: apiKey({ header: 'X-API-Key' }, 'k-0123456789abcdef') });
    assert.equal((await client.get('thing')).status, 200);
    assert.equal(server.received.at(-1)?.headers['x-api-key'], 'k-0123456789abcdef');
  });

  it('sends the key in the query, and keeps it out of every message', async () => {
    const good = createClient({ baseUrl: server.url, auth: apiKey({ query: 'api_key' }, 'k-0123456789abcdef') });
    assert.equal((await good.get('thing?x=1')).status, 200);
    assert.equal(server.received.at(-1)?.url, '/thing?x=1&api_key=k-0123456789abcdef');

    const bad = createClient({ baseUrl: server.url, auth: apiKey({ query: 'api_key' }, 'k-wrong-secret-value') });
    const error = await bad.get('thing').catch((e: unknown) => e);
    assert.ok(error instanceof UnauthorizedError);
    assert.ok(!error.message.includes('k-wrong-secret-value'), error.message);
    assert.equal(error.url, `${server.origin}/thing`);
  });

  it('masks a key the caller put in the URL itself', async () => {
    const client = createClient({ baseUrl: server.url, auth: apiKey({ query: 'my_key' }, 'k-wrong-secret-value') });
    const error = await client.get('thing?my_key=k-other-secret-value&page=2').catch((e: unknown) => e);
    assert.ok(error instanceof UnauthorizedError);
    assert.equal(error.url, `${server.origin}/thing?my_key=…&page=2`);
    assert.ok(!error.message.includes('k-other-secret-value'));
  });

  it('refuses a placement it does not know', () => {
    assert.throws(() => apiKey({ cookie: 'x' } as never, 'k'), { code: INVALID_ARGUMENT });
    assert.throws(() => apiKey({ header: 'Bad Header' }, 'k'), { code: INVALID_ARGUMENT });
    assert.throws(() => apiKey({ header: 'X-Key' }, 'line\nbreak'), { code: INVALID_ARGUMENT });
  });
});
