/** Verifying a bearer JWT: a verified token remembered until its exp, never past it; a public key for an asymmetric algorithm. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { createGuard } from '../../../src/server/index.ts';
import { AUDIENCE, ask, ISSUER, JWT_SECRET, jwt } from '../../support/guard-fixture.ts';

describe('configuration', () => {
  it('a verified token is remembered, but never past its exp', async () => {
    const { bearerScheme } = await import('../../../src/server/index.ts');
    const g = createGuard({
      schemes: [
        bearerScheme({
          jwt: { key: JWT_SECRET, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, clockTolerance: 0 },
        }),
      ],
    });
    // At least a second ahead, so the first requests are served on a loaded machine too.
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await jwt({}, { expiresIn: exp });
    assert.equal((await ask(g, { authorization: `Bearer ${token}` })).status, 200);
    assert.equal((await ask(g, { authorization: `Bearer ${token}` })).status, 200);
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 100));
    assert.equal((await ask(g, { authorization: `Bearer ${token}` })).body['code'], 'token_expired');
  });
});

describe('configuration', () => {
  it('a JWT signed with an asymmetric key verifies against a public key', async () => {
    const { generateKeyPair } = await import('jose');
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const { bearerScheme } = await import('../../../src/server/index.ts');
    const g = createGuard({
      schemes: [bearerScheme({ jwt: { key: publicKey, algorithms: ['ES256'], issuer: ISSUER, audience: AUDIENCE } })],
    });
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('es-user')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(privateKey);
    assert.equal((await ask(g, { authorization: `Bearer ${token}` })).principal, 'es-user');
    // HS/ES confusion: an HS256 token cannot pass an ES256-only scheme.
    assert.equal((await ask(g, { authorization: `Bearer ${await jwt()}` })).body['code'], 'credentials_invalid');
  });
});
