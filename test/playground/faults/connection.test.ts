/** Faults of the connection itself: resets, slow headers, slow bodies and cut bodies behave as named. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, NetworkError, TimeoutError } from '../../../src/client/index.ts';
import { playgroundPerFile } from '../../support/playground.ts';

const pg = playgroundPerFile();

describe('playground: rate limits and faults', () => {
  it('resets, slow headers, slow bodies and cut bodies behave as named', async () => {
    const client = createClient({ baseUrl: pg.url, retry: 0, timeout: { attempt: 200 } });
    assert.ok((await client.get('fault/reset').catch((e: unknown) => e)) instanceof NetworkError);
    assert.ok((await client.get('fault/slow-headers/1000').catch((e: unknown) => e)) instanceof TimeoutError);
    const start = Date.now();
    const slow = await fetch(`${pg.url}/fault/slow-body/300`);
    const headersAfter = Date.now() - start;
    const text = await slow.text();
    assert.ok(headersAfter < 250 && Date.now() - start >= 250);
    assert.equal(text.split('\n').length, 11);
    const cut = await fetch(`${pg.url}/fault/cut-body`);
    assert.equal(cut.headers.get('content-length'), '2000');
    await assert.rejects(cut.text());
  });
});
