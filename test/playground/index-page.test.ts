/** GET /: every route and the demo accounts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPlayground } from '../../src/playground/app.ts';
import { indexPage } from '../../src/playground/index-page.ts';
import { DEMO } from '../../src/playground/seed.ts';
import { createLoginProtection } from '../../src/server/login-protection.ts';
import { createTokenService } from '../../src/server/tokens/token-service.ts';
import { memoryStore } from '../../src/stores/memory.ts';
import { playgroundPerFile } from '../support/playground.ts';

const pg = playgroundPerFile();

describe('playground: bad input', () => {
  it('lists every route and the demo accounts at /', async () => {
    const page = await (await fetch(`${pg.url}/`)).text();
    assert.match(page, /<title>Gatehouse playground<\/title>/);
    for (const route of ['/basic-auth/:user/:passwd', '/oauth/token', '/limited', '/fault/cut-body', 'POST /orders'])
      assert.ok(page.includes(route), route);
    assert.ok(page.includes(DEMO.serviceClient.secret));
  });
});

describe('playground: GET / and the routes the app mounts', () => {
  it('names every route the app answers (the path up to its first parameter, as a whole segment)', async () => {
    const store = memoryStore();
    const app = createPlayground({
      store,
      service: createTokenService({ store, issuer: 'https://playground.test' }),
      loginProtection: await createLoginProtection({ backend: { memory: true } }),
      otherOrigin: () => undefined,
    });
    const page = indexPage({ demoAccounts: true });
    const literals = app.routes
      .map((r) => r.path)
      .filter((path) => path !== '/' && path !== '/*')
      .map((path) => path.replace(/[:*].*$/, '').replace(/\/$/, ''));
    // A whole segment: /redirect is not found in /relative-redirect/:n nor in /redirect-to.
    const unlisted = [...new Set(literals)].filter(
      (literal) => !new RegExp(`(?<![\\w.-])${literal.replace(/[.?]/g, '\\$&')}(?=[/?[,\\s<]|$)`).test(page),
    );
    assert.deepStrictEqual(unlisted, []);
  });
});
