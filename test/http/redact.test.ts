import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerSecrets, maskSecret, secretRedactor } from '../../src/http/index.ts';

describe('maskSecret', () => {
  it('shows the first and last four characters of a long secret', () => {
    assert.equal(maskSecret('eyJhbGciOiJIUzI1NiJ9.payload.signature'), 'eyJh…ture');
  });

  it('shows nothing of a secret too short to keep its secrecy with eight characters shown', () => {
    for (const secret of ['', 'a', 'hunter2', 'fifteen-chars!!']) assert.equal(maskSecret(secret), '…');
  });
});

describe('secretRedactor', () => {
  const password = 'pa ss/+:=~!word-9f';
  const b64 = (text: string) => Buffer.from(text).toString('base64');

  it('scrubs every encoding of a secret: raw, base64, base64url, percent- and form-encoded, JSON-escaped', () => {
    const redact = secretRedactor([password]);
    const forms = [
      password,
      b64(password),
      Buffer.from(password).toString('base64url'),
      encodeURIComponent(password),
      encodeURIComponent(password).toLowerCase(),
      new URLSearchParams({ p: password }).toString().slice(2),
      JSON.stringify(password).slice(1, -1),
    ];
    for (const form of forms) assert.equal(redact(`before ${form} after`), 'before … after', form);
  });

  it('finds the password inside any base64 text that carries it, whatever comes before it', () => {
    const redact = secretRedactor([password]);
    for (const user of ['a', 'ab', 'abc', 'someone else entirely']) {
      const pair = b64(`${user}:${password}`);
      const shown = redact(`Basic ${pair}`);
      assert.notEqual(shown, `Basic ${pair}`);
      // What is left cannot decode to more than a character of the password at either edge.
      const left = shown.replace(/^Basic /, '').split('…');
      for (const part of left)
        assert.ok(!Buffer.from(part, 'base64').toString('latin1').includes(password.slice(1, 5)));
    }
  });

  it('takes what a header line carries: a Basic header gives its pair and password', () => {
    const header = `Basic ${b64(`alice:${password}`)}`;
    const secrets = headerSecrets('Authorization', header);
    assert.ok(secrets.includes(password));
    assert.ok(secrets.includes(`alice:${password}`));
    assert.deepStrictEqual(headerSecrets('Cookie', 'sid=abcd1234; theme=dark').slice(1), ['abcd1234', 'dark']);
  });

  it('leaves text without the secrets alone, and ignores secrets too short to scrub', () => {
    assert.equal(secretRedactor([password, 'ab'])('nothing to see, ab'), 'nothing to see, ab');
  });
});
