import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isSecretField,
  isSecretParam,
  redactText,
  redactUrl,
  SECRET_PARAMS,
  SECRET_QUERY_PARAMS,
  urlSecrets,
} from '../../src/http/index.ts';

const SECRET = 'k3y-0f-s1xteen-chars-at-least';

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
