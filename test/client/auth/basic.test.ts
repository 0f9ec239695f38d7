import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  basic,
  createClient,
  HttpError,
  INVALID_ARGUMENT,
  parseAuthorization,
  UnauthorizedError,
} from '../../../src/client/index.ts';
import { json, startServer, type TestServer } from '../../support/server.ts';

describe('basic()', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer((req, res) => {
      const parsed = parseAuthorization(req.headers.authorization);
      if (
        parsed.ok &&
        parsed.credentials.kind === 'basic' &&
        parsed.credentials.username === 'jürgen' &&
        parsed.credentials.password === 'pässwörd'
      ) {
        return json(res, 200, { authenticated: true, user: parsed.credentials.username });
      }
      json(res, 401, { authenticated: false }, { 'www-authenticate': 'Basic realm="Fake Realm", charset="UTF-8"' });
    });
  });
  after(() => server.close());

  it('authenticates with UTF-8 credentials on the first request', async () => {
    const client = createClient({ baseUrl: server.url, auth: basic('jürgen', 'pässwörd') });
    const body = await (await client.get('basic-auth')).json();
    assert.deepStrictEqual(body, { authenticated: true, user: 'jürgen' });
    assert.equal(
      server.received.at(-1)?.headers.authorization,
      `Basic ${Buffer.from('jürgen:pässwörd').toString('base64')}`,
    );
  });

  it('throws UnauthorizedError for a wrong password, once, with the parsed challenge and no secret', async () => {
    const before = server.received.length;
    const client = createClient({ baseUrl: server.url, auth: basic('jürgen', 'wrong-password-123') });
    const error = await client.get('basic-auth').then(
      () => assert.fail('expected a 401'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof UnauthorizedError);
    assert.ok(error instanceof HttpError);
    assert.equal(error.code, 'ERR_GATEHOUSE_UNAUTHORIZED');
    assert.equal(error.status, 401);
    assert.equal(error.attempts, 1);
    assert.deepStrictEqual(error.challenges, [{ scheme: 'Basic', params: { realm: 'Fake Realm', charset: 'UTF-8' } }]);
    assert.equal(server.received.length - before, 1, 'a 401 for Basic is not retried');
    const everything = `${error.message} ${error.stack} ${inspect(error, { depth: 5 })} ${JSON.stringify(error)}`;
    assert.ok(!everything.includes('wrong-password-123'));
    assert.ok(!everything.includes(Buffer.from('jürgen:wrong-password-123').toString('base64')));
    assert.equal(Object.keys(error).includes('response'), false, 'the response is not enumerable');
    assert.equal(error.response.status, 401);
  });

  it('returns the 401 Response when throwHttpErrors is false', async () => {
    const client = createClient({ baseUrl: server.url, auth: basic('x', 'y'), throwHttpErrors: false });
    const response = await client.get('basic-auth');
    assert.equal(response.status, 401);
    assert.deepStrictEqual(await response.json(), { authenticated: false });
  });

  it('reports every final response to onResponse', async () => {
    const seen: Array<[string, number, number]> = [];
    const client = createClient({
      baseUrl: server.url,
      auth: basic('jürgen', 'pässwörd'),
      onResponse: (e) => seen.push([e.method, e.status, e.attempts]),
    });
    await client.get('basic-auth');
    await client.head('basic-auth');
    assert.deepStrictEqual(seen, [
      ['GET', 200, 1],
      ['HEAD', 200, 1],
    ]);
  });

  it('refuses a username with ":" when the strategy is made', () => {
    assert.throws(() => basic('a:b', 'c'), { code: INVALID_ARGUMENT });
  });
});
