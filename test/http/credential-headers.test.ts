import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CREDENTIAL_HEADERS,
  carriesCredential,
  isCredentialHeader,
  isSecretField,
  isSecretHeader,
  isSecretParam,
  maskHeader,
  redactText,
  redactUrl,
  SECRET_PARAMS,
  SECRET_QUERY_PARAMS,
  urlSecrets,
} from '../../src/http/index.ts';

const SECRET = 'k3y-0f-s1xteen-chars-at-least';

describe('the credential header list', () => {
  it('names every field that carries a credential, in any case', () => {
    for (const name of ['Authorization', 'Proxy-Authorization', 'Cookie', 'X-API-Key', 'Api-Key', 'X-Auth-Token'])
      assert.ok(isCredentialHeader(name), name);
    for (const name of ['idempotency-key', 'sec-websocket-key', 'content-type'])
      assert.ok(!isCredentialHeader(name), name);
  });

  it('is masked in every output: no listed header shows its value', () => {
    for (const name of CREDENTIAL_HEADERS) {
      assert.ok(isSecretHeader(name), name);
      assert.ok(!maskHeader(name, `v=${SECRET}`).includes(SECRET), name);
    }
  });

  it('tells a credential from the other half of one (CSRF token, DPoP proof)', () => {
    for (const name of ['Cookie', 'X-API-Key', 'apikey', 'Proxy-Authorization'])
      assert.ok(carriesCredential(name), name);
    for (const name of ['X-CSRF-Token', 'X-XSRF-TOKEN', 'X-CSRFToken', 'DPoP']) {
      assert.ok(isCredentialHeader(name), `${name} is dropped across origins`);
      assert.ok(!carriesCredential(name), `${name} alone is no credential`);
    }
  });
});

describe('the secret parameter list', () => {
  it('is one list, the same on the set kept under its old name', () => {
    assert.deepEqual([...SECRET_QUERY_PARAMS], [...SECRET_PARAMS]);
    for (const name of ['access_token', 'API_KEY', 'client_secret', 'secret', 'code', 'sig'])
      assert.ok(isSecretParam(name));
    assert.ok(!isSecretParam('page'));
  });

  it('masks every listed parameter in a URL and gives its value as a secret to scrub', () => {
    for (const name of SECRET_PARAMS) {
      const url = `https://api.example/x?page=2&${name}=${SECRET}`;
      const shown = redactUrl(url);
      assert.ok(!shown.includes(SECRET), `${name}: ${shown}`);
      assert.ok(shown.includes('page=2'), 'other parameters stay');
      assert.deepEqual(urlSecrets(url), [SECRET], name);
    }
  });

  it('masks a JSON member under every listed name in a text a server sent, except an error code', () => {
    for (const name of SECRET_PARAMS.filter((p) => p !== 'code'))
      assert.ok(!redactText(JSON.stringify({ [name]: SECRET })).includes(SECRET), name);
    assert.equal(redactText('{"code":"token_expired"}'), '{"code":"token_expired"}');
  });

  it('reads a body field as secret by the list or by what its name says', () => {
    for (const name of [...SECRET_PARAMS, 'user_password', 'clientAssertion', 'X-Tenant-Secret'])
      assert.ok(isSecretField(name), name);
    for (const name of ['username', 'grant_type', 'scope']) assert.ok(!isSecretField(name), name);
  });
});
