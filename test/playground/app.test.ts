/** The playground's app: a redirect to its second origin, 404 for an unknown route, 400 with a catalogue problem for bad parameters. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearer, createClient } from '../../src/client/index.ts';
import { reasons } from '../../src/http/index.ts';
import { playgroundPerFile } from '../support/playground.ts';

const pg = playgroundPerFile();
const { json } = pg;

describe('playground: OAuth and the guarded routes', () => {
  it('redirects to its second origin, where the client sends no credentials', async () => {
    const client = createClient({ baseUrl: pg.url, auth: bearer('playground-token-0123456789') });
    const { headers } = await (await client.get('cross-origin/redirect?path=/headers')).json();
    assert.equal(headers.Authorization, undefined);
    assert.equal(headers.Host, new URL(pg.otherUrl).host);
  });
});

describe('playground: bad input', () => {
  it('unknown routes get 404 with a JSON body', async () => {
    const answer = await json('/no/such/route');
    assert.deepStrictEqual([answer.status, answer.body.error], [404, 'not_found']);
  });

  it('bad parameters get 400 with a problem body', async () => {
    for (const path of [
      '/limited?budget=-1',
      '/flaky/abc',
      '/fault/slow-headers/999999',
      '/tokens/weird',
      '/unavailable?retry_after=x',
    ]) {
      const answer = await json(path);
      assert.equal(answer.status, 400, path);
      assert.equal(answer.headers.get('content-type'), 'application/problem+json', path);
      // From the catalogue, as the server's own refusals are: its code, title and hint.
      assert.deepStrictEqual(
        [answer.body.code, answer.body.title, answer.body.hint],
        ['request_invalid', reasons.request_invalid.title, reasons.request_invalid.hint],
        path,
      );
    }
  });
});
