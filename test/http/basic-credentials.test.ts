/** Basic credentials (RFC 7617 §2): the base64 a client sends, decoded exactly as atob() decodes it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { base64Binary, decodeBasic } from '../../src/http/basic-credentials.ts';

const BASE64_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** What decodeBasic made of a token68 when it decoded with atob() (forgiving-base64). */
function withAtob(token68: string): ReturnType<typeof decodeBasic> {
  const decoded = decodeBasic(token68);
  if (!decoded.ok && decoded.problem === 'not_base64') return decoded;
  const binary = atob(token68);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  let text = binary;
  let encoding: 'utf-8' | 'iso-8859-1' = 'utf-8';
  if (/[^\x00-\x7f]/.test(binary)) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      encoding = 'iso-8859-1';
    }
  }
  const colon = text.indexOf(':');
  if (colon < 0) return { ok: false, problem: 'no_colon' };
  if (/[\x00-\x1f\x7f]/.test(text)) return { ok: false, problem: 'control_character' };
  return { ok: true, username: text.slice(0, colon), password: text.slice(colon + 1), encoding };
}

describe('decodeBasic', () => {
  it('reads any bytes a client encoded, padded or not, as atob() reads them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, padded) => {
        const base64 = Buffer.from(bytes).toString('base64');
        const token68 = padded ? base64 : base64.replace(/=+$/, '');
        assert.deepStrictEqual(decodeBasic(token68), withAtob(token68));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads base64 whose last character carries bits beyond the last byte, as atob() drops them', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...BASE64_CHARS), maxLength: 60 }), (text) => {
        if (text.length % 4 === 1) return;
        assert.equal(base64Binary(text, text.length), atob(text));
        assert.deepStrictEqual(decodeBasic(text), withAtob(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses what is not base64 before decoding anything', () => {
    for (const token68 of ['!!!!', 'a', 'abcde', 'ab=', 'a===', '=', 'ab=c', 'YWJj ZA=='])
      assert.deepStrictEqual(decodeBasic(token68), { ok: false, problem: 'not_base64' }, token68);
  });
});
