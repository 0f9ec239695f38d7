/**
 * A verified token's claims belong to the token, not to one request: a handler that writes to
 * `auth.claims` must change nothing the next request with the same token sees, above all not what
 * revocation reads (a cached JWT's payload, an introspection answer). Over a real socket.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import { SignJWT } from 'jose';
import { protect } from '../../src/adapters/node/index.ts';
import { bearerScheme, createGuard, introspectionScheme } from '../../src/server/index.ts';
import { listen } from '../support/server.ts';

const SECRET = 'shared-claims-hs256-secret-of-32-bytes!!';

/** A server whose handler tries to rewrite its principal's claims, and says whether it could. */
async function serve(
  t: TestContext,
  revoked: Set<string>,
  scheme?: Parameters<typeof createGuard>[0]['schemes'][number],
): Promise<string> {
  const guard = createGuard({
    schemes: [
      scheme ??
        bearerScheme({
          jwt: {
            key: SECRET,
            algorithms: ['HS256'],
            isRevoked: (payload) => typeof payload.jti !== 'string' || revoked.has(payload.jti),
          },
        }),
    ],
  });
  const handler = protect(guard, (req, res) => {
    const claims = req.auth.claims as { jti?: unknown; org?: { id?: unknown } };
    const seen = { jti: claims.jti, org: claims.org?.id };
    let wrote = true;
    try {
      claims.jti = 'rewritten-by-a-handler';
      claims.org!.id = 'rewritten-by-a-handler';
    } catch {
      wrote = false;
    }
    res.end(JSON.stringify({ seen, wrote }));
  });
  const server = await listen(createServer((req, res) => void handler(req, res)));
  t.after(() => server.close());
  return server.url;
}

describe('claims shared between requests', () => {
  it("a handler's write to auth.claims reaches neither the next request nor revocation", async (t) => {
    const revoked = new Set<string>();
    const url = await serve(t, revoked);
    const token = await new SignJWT({ jti: 'token-1', org: { id: 'org-a' } })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u1')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    const call = async () => {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, body: await response.text() };
    };

    const first = await call();
    assert.equal(first.status, 200);
    const second = await call();
    assert.equal(second.status, 200);
    assert.deepEqual(
      JSON.parse(second.body).seen,
      { jti: 'token-1', org: 'org-a' },
      'the claims as the token has them',
    );

    revoked.add('token-1');
    const afterRevocation = await call();
    assert.equal(afterRevocation.status, 401, 'revocation reads the jti the token carries, whatever a handler wrote');
  });

  it('an introspected token: a write to its nested claims reaches no later request', async (t) => {
    // A real RFC 7662 endpoint on loopback, asked once: the answer is remembered for the token.
    let asked = 0;
    const issuer = await listen(
      createServer((_req, res) => {
        asked++;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            active: true,
            sub: 'u1',
            jti: 'token-2',
            org: { id: 'org-a' },
            exp: Math.floor(Date.now() / 1000) + 3600,
          }),
        );
      }),
    );
    t.after(() => issuer.close());
    const scheme = introspectionScheme({
      endpoint: `${issuer.url}/introspect`,
      clientId: 'api',
      clientSecret: 'api-secret',
      audience: false,
    });
    const url = await serve(t, new Set(), scheme);
    const call = async () => {
      const response = await fetch(url, { headers: { authorization: 'Bearer opaque-token-2' } });
      return { status: response.status, body: await response.text() };
    };
    assert.equal((await call()).status, 200);
    const second = await call();
    assert.equal(second.status, 200);
    assert.equal(asked, 1, 'the second request is answered from the remembered answer');
    assert.deepEqual(
      JSON.parse(second.body).seen,
      { jti: 'token-2', org: 'org-a' },
      'the claims as the issuer gave them',
    );
  });
});
