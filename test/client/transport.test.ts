/**
 * The client over fetch functions other than the platform's: undici's fetch from the npm package
 * (its own Response class), a wrapper that builds `new Response(…)`, and a proxying fetch that
 * hands back another implementation's Response. Each against a real loopback server, the cut
 * body included: readers still fail with a typed BodyCutError.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as undici from 'undici';
import {
  BodyCutError,
  bearer,
  createClient,
  oauth2ClientCredentials,
  type Transport,
  UnauthorizedError,
} from '../../src/client/index.ts';
import { cutAfter, json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();
const TOKEN = 'any-fetch-token-0123456789';

const FETCHES: Array<[string, Transport]> = [
  ["undici's fetch (npm package)", undici.fetch as unknown as Transport],
  [
    'a wrapper that returns new Response(…)',
    async (input, init) => {
      const answer = await fetch(input, init);
      return new Response(answer.body, {
        status: answer.status,
        statusText: answer.statusText,
        headers: answer.headers,
      });
    },
  ],
  [
    "a proxying fetch that returns undici's Response",
    async (input, init) => {
      const answer = await fetch(input, init);
      return new undici.Response(answer.body as never, {
        status: answer.status,
        statusText: answer.statusText,
        headers: [...answer.headers],
      }) as unknown as Response;
    },
  ],
  [
    'a Response subclass',
    async (input, init) => {
      class Traced extends Response {}
      const answer = await fetch(input, init);
      return new Traced(answer.body, { status: answer.status, headers: answer.headers });
    },
  ],
];

for (const [name, transport] of FETCHES) {
  describe(`the client over ${name}`, () => {
    it('sends credentials and a body, and reads the answer', async () => {
      const s = await serve((req, res, body) =>
        json(res, 200, { authorization: req.headers.authorization, body: body.toString() }),
      );
      const client = createClient({ baseUrl: s.url, auth: bearer(TOKEN), fetch: transport });
      const answer = (await (await client.post('items', { body: '{"a":1}' })).json()) as Record<string, string>;
      assert.equal(answer['authorization'], `Bearer ${TOKEN}`);
      assert.equal(answer['body'], '{"a":1}');
      const copy = (await client.get('x')).clone();
      assert.equal(((await copy.json()) as Record<string, string>)['authorization'], `Bearer ${TOKEN}`);
    });

    it('follows a redirect itself and throws a typed error for a 401', async () => {
      const s = await serve((req, res) => {
        if (req.url === '/old') {
          res.writeHead(302, { location: '/new' });
          res.end();
          return;
        }
        json(res, 401, { code: 'token_expired' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
      });
      const error = await createClient({ baseUrl: s.url, fetch: transport, retry: 0 })
        .get('old')
        .catch((e: unknown) => e);
      assert.ok(error instanceof UnauthorizedError, String(error));
      assert.equal(error.reason, 'token_expired');
      assert.deepStrictEqual(
        s.received.map((r) => r.url),
        ['/old', '/new'],
      );
    });

    it('turns a body cut off mid-read into a BodyCutError, from the readers and from the stream', async () => {
      const s = await serve(cutAfter('0123456789'));
      const client = createClient({ fetch: transport });
      const read = await client.get(s.url);
      const error = await read.json().catch((e: unknown) => e);
      assert.ok(error instanceof BodyCutError, `got ${String(error)}`);
      assert.equal(error.expectedBytes, 100);

      const streamed = await client.get(s.url);
      const copy = streamed.clone();
      const reader = streamed.body!.getReader();
      const streamError = await (async () => {
        for (;;) if ((await reader.read()).done) return undefined;
      })().catch((e: unknown) => e);
      assert.ok(streamError instanceof BodyCutError, `got ${String(streamError)}`);
      assert.equal(streamError.receivedBytes, 10);
      await assert.rejects(copy.text(), BodyCutError);
    });

    it('gets a token from a token endpoint through the same fetch', async () => {
      const s = await serve((req, res) =>
        req.url === '/token'
          ? json(res, 200, { access_token: 'from-endpoint-token-42', token_type: 'Bearer', expires_in: 60 })
          : json(res, 200, { authorization: req.headers.authorization }),
      );
      const source = oauth2ClientCredentials({
        tokenUrl: `${s.url}token`,
        clientId: 'c',
        clientSecret: 's',
        fetch: transport,
      });
      const client = createClient({ baseUrl: s.url, auth: bearer(source), fetch: transport });
      assert.equal(
        ((await (await client.get('me')).json()) as Record<string, string>)['authorization'],
        'Bearer from-endpoint-token-42',
      );
    });
  });
}
