import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from '../../src/client/index.ts';
import { json, serverPerTest } from '../support/server.ts';

const serve = serverPerTest();

describe('the request a call starts as', () => {
  it('sends default headers with every request; a call’s own headers win', async () => {
    const s = await serve((req, res) => json(res, 200, { headers: req.headers }));
    const client = createClient({ baseUrl: s.url, headers: { 'user-agent': 'gatehouse-test/1', 'x-team': 'a' } });
    const one = await (await client.get('one')).json();
    const two = await (await client.get('two', { headers: { 'x-team': 'b' } })).json();
    assert.deepStrictEqual([one.headers['user-agent'], one.headers['x-team']], ['gatehouse-test/1', 'a']);
    assert.equal(two.headers['x-team'], 'b');
  });
});
