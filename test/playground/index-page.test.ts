/** GET /: every route and the demo accounts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO } from '../../src/playground/seed.ts';
import { playgroundPerFile } from '../support/playground.ts';

const pg = playgroundPerFile();

describe('playground: bad input', () => {
  it('lists every route and the demo accounts at /', async () => {
    const page = await (await fetch(`${pg.url}/`)).text();
    assert.match(page, /<title>Gatehouse playground<\/title>/);
    for (const route of ['/basic-auth/:user/:passwd', '/oauth/token', '/limited', '/fault/cut-body'])
      assert.ok(page.includes(route), route);
    assert.ok(page.includes(DEMO.serviceClient.secret));
  });
});
