/**
 * Strategies that apply their credentials and send once (Basic, an API key, a fixed Bearer token)
 * run without their generator; what the caller does with the strategy object must still hold.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AuthStrategy, apiKey, basic, bearer, createClient, HttpError } from '../../src/client/index.ts';
import { json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();

describe('a strategy that sends once', () => {
  for (const [name, strategy] of [
    ['basic', () => basic('ann', 'pw-3c1d')],
    ['bearer with a fixed token', () => bearer('fixed-token-8a2b')],
    ['apiKey in a header', () => apiKey({ header: 'x-api-key' }, 'key-5e7f')],
  ] as Array<[string, () => AuthStrategy]>) {
    it(`${name}: a flow the caller put in its place is the one that runs`, async () => {
      const s = await serve((req, res) => json(res, 200, { authorization: req.headers.authorization ?? null }));
      const replaced = strategy();
      replaced.flow = async function* (request) {
        request.headers.set('authorization', 'Custom replaced');
        yield request;
      };
      const answer = await (await createClient({ auth: replaced }).get(s.url)).json();
      assert.deepStrictEqual(answer, { authorization: 'Custom replaced' });
    });

    it(`${name}: a copy of the strategy object sends the same credentials`, async () => {
      const s = await serve((req, res) =>
        json(res, 200, { sent: req.headers.authorization ?? req.headers['x-api-key'] }),
      );
      const original = await (await createClient({ auth: strategy() }).get(s.url)).json();
      const copied = await (await createClient({ auth: { ...strategy(), name: 'mine' } }).get(s.url)).json();
      assert.deepStrictEqual(copied, original);
    });
  }

  it('keeps what it sent out of the error when the server answers it back as a reason code', async () => {
    const token = 'secret_fixed_token_77c1';
    const s = await serve((req, res) => {
      res.writeHead(403, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ title: 'No', code: (req.headers.authorization ?? '').slice('Bearer '.length) }));
    });
    const error = await createClient({ auth: bearer(token), retry: false })
      .get(s.url)
      .catch((e: unknown) => e);
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 403);
    assert.equal(error.reason, undefined);
    assert.doesNotMatch(error.message, new RegExp(token));
  });
});
