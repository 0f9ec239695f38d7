/** Authorization server metadata (RFC 8414 §2, §3.3) as a strict client reads it. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CodeWorld, codeWorld, ISSUER } from '../../support/code-flow.ts';

const metadataOf = async (w: CodeWorld) => (await fetch(`${w.url}/.well-known/oauth-authorization-server`)).json();

describe('authorization server metadata', () => {
  let w: CodeWorld;
  before(async () => {
    w = await codeWorld({ scopesSupported: ['read', 'write'] });
  });
  after(() => w.close());

  it('names the issuer and every endpoint under it, whatever origin the request reached (RFC 8414 §3.3)', async () => {
    const metadata = await metadataOf(w);
    assert.equal(metadata.issuer, ISSUER);
    assert.equal(metadata.authorization_endpoint, `${ISSUER}/oauth/authorize`);
    assert.equal(metadata.token_endpoint, `${ISSUER}/oauth/token`);
    assert.equal(metadata.jwks_uri, `${ISSUER}/.well-known/jwks.json`);
    assert.equal(metadata.revocation_endpoint, `${ISSUER}/oauth/revoke`);
    assert.equal(metadata.introspection_endpoint, `${ISSUER}/oauth/introspect`);
  });

  it('says what the code flow needs: code, query, S256 only, iss in responses, and the grants on', async () => {
    const metadata = await metadataOf(w);
    assert.deepEqual(metadata.response_types_supported, ['code']);
    assert.deepEqual(metadata.response_modes_supported, ['query']);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.equal(metadata.authorization_response_iss_parameter_supported, true);
    assert.deepEqual(metadata.grant_types_supported, ['authorization_code', 'client_credentials', 'refresh_token']);
    assert.deepEqual(metadata.token_endpoint_auth_methods_supported, [
      'client_secret_basic',
      'client_secret_post',
      'none',
    ]);
    assert.deepEqual(metadata.scopes_supported, ['read', 'write']);
  });

  it('names the sign-in levels a client may ask for in acr_values (RFC 9470 §4): a password, and the second factor when there is one', async () => {
    assert.deepEqual((await metadataOf(w)).acr_values_supported, ['pwd']);
    const stepUp = await codeWorld({ authorize: { secondFactor: { acr: 'otp', verify: () => false } } });
    try {
      assert.deepEqual((await metadataOf(stepUp)).acr_values_supported, ['pwd', 'otp']);
    } finally {
      await stepUp.close();
    }
  });

  it('lists the password grant only when the legacy option is on, and no authorize endpoint without codes', async () => {
    const legacy = await codeWorld({ legacyPasswordGrant: true, withoutCodes: true });
    const metadata = await metadataOf(legacy);
    assert.deepEqual(metadata.grant_types_supported, ['client_credentials', 'refresh_token', 'password']);
    assert.equal(metadata.authorization_endpoint, undefined);
    assert.equal(metadata.code_challenge_methods_supported, undefined);
    await legacy.close();
  });
});
