import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJwt } from '../../src/http/jwt.ts';

const segment = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const jwt = (header: unknown, payload: unknown, signature = 'not-a-signature') =>
  `${segment(header)}.${segment(payload)}.${signature}`;

describe('decodeJwt', () => {
  it('reads header and claims without checking the signature', () => {
    const token = jwt({ alg: 'RS256', kid: 'k1' }, { sub: 'alice', exp: 1_700_000_000, aud: ['a', 'b'] });
    assert.deepEqual(decodeJwt(token), {
      header: { alg: 'RS256', kid: 'k1' },
      payload: { sub: 'alice', exp: 1_700_000_000, aud: ['a', 'b'] },
    });
    assert.deepEqual(decodeJwt(jwt({ alg: 'none' }, { sub: 'x' }, ''))?.payload, { sub: 'x' });
  });

  it('decodes claims as UTF-8 and base64url with its - and _', () => {
    // "ü?>" encodes to base64 with + and /; base64url writes them - and _.
    const token = jwt({ alg: 'HS256' }, { name: 'Zoë Müller ü?>', note: '日本' });
    assert.match(token.split('.')[1]!, /[-_]/);
    assert.deepEqual(decodeJwt(token)?.payload, { name: 'Zoë Müller ü?>', note: '日本' });
  });

  it('is undefined for anything that is not a compact JWS with JSON object header and claims', () => {
    const cases = [
      '',
      'opaque-token',
      `${segment({ alg: 'HS256' })}.${segment({ sub: 'a' })}`,
      `${jwt({ alg: 'HS256' }, { sub: 'a' })}.extra`,
      `.${segment({ sub: 'a' })}.sig`,
      jwt('not json', { sub: 'a' }),
      jwt({ alg: 'HS256' }, [1, 2]),
      jwt({ alg: 'HS256' }, null),
      jwt({ alg: 'HS256' }, 42),
      `${segment({ alg: 'HS256' })}.%%%.sig`,
      jwt({ alg: 'HS256', pad: 'x'.repeat(9000) }, { sub: 'a' }),
    ];
    for (const value of cases) assert.equal(decodeJwt(value), undefined, value.slice(0, 60));
  });
});
