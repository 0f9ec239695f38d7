import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getOAuthError, isOAuthErrorCode, oauthErrorCodes, oauthErrors } from '../../src/http/oauth-errors.ts';

describe('the OAuth error catalogue', () => {
  it('names each code by its own key, with the clause that defines it and a hint', () => {
    for (const code of oauthErrorCodes) {
      const entry = oauthErrors[code];
      assert.equal(entry.code, code);
      assert.match(entry.defined, /^RFC \d+ §[\d.]+$/);
      assert.ok(entry.hint.length > 20 && entry.title.length > 10, code);
    }
  });

  it('holds the RFC 8707 error a token or authorize request for an unknown resource gets', () => {
    assert.equal(getOAuthError('invalid_target')?.defined, 'RFC 8707 §2');
  });

  it('knows no code outside it, nor inherited names', () => {
    assert.equal(getOAuthError('toString'), undefined);
    assert.equal(isOAuthErrorCode('invalid_password'), false);
    assert.equal(isOAuthErrorCode(42), false);
  });
});

describe("docs/reasons.md's OAuth error table", () => {
  it('lists every code of the OAuth catalogue once, with the clause that defines it', () => {
    const page = readFileSync(join(import.meta.dirname, '../../docs/reasons.md'), 'utf8');
    const section = page.slice(page.indexOf('## OAuth errors'));
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    assert.deepEqual(
      rows.map((line) => /^\| `([a-z_]+)` \| ([^|]+) \|/.exec(line)?.slice(1, 3)),
      oauthErrorCodes.map((code) => [code, oauthErrors[code].defined]),
    );
  });
});
