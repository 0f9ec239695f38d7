/**
 * introspect() (RFC 7662) against Gatehouse's introspection endpoint, which answers only a
 * confidential client (§2.1: the caller must be authorized; a public client proves nothing): a
 * confidential client learns about its token, and a public client is told why it cannot, in the
 * message itself, not only in bodyExcerpt.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuthenticationError, oauth2ClientCredentials } from '../../../src/client/index.ts';
import { loopbackLogin } from '../../../src/client/loopback-login.ts';
import {
  CONFIDENTIAL_CLIENT,
  CONFIDENTIAL_SECRET,
  type InteropWorld,
  interopWorld,
  PUBLIC_CLIENT,
  signIn,
} from '../../support/interop-world.ts';

describe('introspect()', () => {
  let world: InteropWorld;
  before(async () => {
    world = await interopWorld();
  });
  after(() => world?.close());

  it('a confidential client: its token is active, with its scope and client', async () => {
    const source = oauth2ClientCredentials({
      tokenUrl: `${world.issuer}/oauth/token`,
      clientId: CONFIDENTIAL_CLIENT,
      clientSecret: CONFIDENTIAL_SECRET,
      scope: 'read',
      introspectionUrl: `${world.issuer}/oauth/introspect`,
    });
    await source.getToken();
    const seen = await source.introspect();
    assert.deepEqual([seen.active, seen.scope, seen.client_id], [true, 'read', CONFIDENTIAL_CLIENT]);
  });

  it('a public client (no secret) is told that introspection needs a confidential client, and what the server said', async () => {
    let browser: Promise<unknown> | undefined;
    const source = await loopbackLogin({
      issuer: world.issuer,
      clientId: PUBLIC_CLIENT,
      scope: 'read',
      timeoutMs: 10_000,
      print: (text) => {
        const url = new URL(text.split('\n').find((line) => line.startsWith('http'))!);
        browser = signIn(url).then(async (back) => (await fetch(back)).text());
      },
    });
    await browser;
    await assert.rejects(source.introspect(), (error: unknown) => {
      assert.ok(error instanceof AuthenticationError);
      assert.equal(error.oauthError, 'invalid_client');
      assert.match(error.message, /needs a confidential client.*RFC 7662 §2\.1/);
      assert.match(error.message, /the server says: Introspection needs an authenticated client/);
      assert.doesNotMatch(error.message, /check the client id and secret/);
      return true;
    });
  });
});
