/**
 * loopbackLogin's listener against whatever else can reach 127.0.0.1: a web page in the user's
 * browser (an <img> to http://127.0.0.1:PORT/callback) or another local process. A request to
 * /callback without this sign-in's state is not its answer: the listener must keep waiting for it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loopbackLogin } from '../../src/client/loopback-login.ts';
import { DEMO } from '../../src/playground/seed.ts';
import { playgroundPerFile } from '../support/playground.ts';
import { signInAsAlice } from '../support/playground-code.ts';

const pg = playgroundPerFile();

describe('loopbackLogin: a stray callback before the real one', () => {
  it('a forged /callback without the state does not end the sign-in; the real redirect still completes it', async () => {
    let signedIn: Promise<number> | undefined;
    const login = loopbackLogin({
      issuer: pg.url,
      clientId: DEMO.publicClient,
      scope: 'read',
      timeoutMs: 10_000,
      print: (text) => {
        const url = new URL(text.split('\n').find((line) => line.startsWith('http'))!);
        const callback = new URL(url.searchParams.get('redirect_uri')!);
        signedIn = (async () => {
          // A hostile page fires first: no state, an error the attacker chose.
          await fetch(`${callback.href}?error=access_denied&state=guess`)
            .then((r) => r.body?.cancel())
            .catch(() => undefined);
          return (await signInAsAlice(pg.url, url.href)).status;
        })();
      },
    });
    const outcome = await login.then(
      () => 'signed in',
      (error: Error) => `${error.name}: ${error.message}`,
    );
    await signedIn?.catch(() => undefined);
    assert.equal(outcome, 'signed in');
  });
});
