import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CREDENTIAL_HEADERS,
  carriesCredential,
  isCredentialHeader,
  isSecretHeader,
  maskHeader,
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
