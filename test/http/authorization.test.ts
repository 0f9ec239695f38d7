import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type AuthorizationProblem,
  type Credentials,
  formatAuthorization,
  INVALID_ARGUMENT,
  parseAuthorization,
} from '../../src/http/index.ts';
import { anyString, params, quotable, token, token68 } from '../support/arbitraries.ts';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const b64latin1 = (text: string) => Buffer.from(text, 'latin1').toString('base64');

const ok: Array<[string, Credentials]> = [
  // RFC 7617 §2's example.
  [
    'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==',
    { kind: 'basic', scheme: 'Basic', username: 'Aladdin', password: 'open sesame', encoding: 'utf-8' },
  ],
  [
    'basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==',
    { kind: 'basic', scheme: 'basic', username: 'Aladdin', password: 'open sesame', encoding: 'utf-8' },
  ],
  [
    'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ',
    { kind: 'basic', scheme: 'Basic', username: 'Aladdin', password: 'open sesame', encoding: 'utf-8' },
  ],
  [
    'Basic   QWxhZGRpbjpvcGVuIHNlc2FtZQ==  ',
    { kind: 'basic', scheme: 'Basic', username: 'Aladdin', password: 'open sesame', encoding: 'utf-8' },
  ],
  // RFC 7617 §2.1's UTF-8 example: "test:123£".
  ['Basic dGVzdDoxMjPCow==', { kind: 'basic', scheme: 'Basic', username: 'test', password: '123£', encoding: 'utf-8' }],
  [
    `Basic ${b64latin1('test:123£')}`,
    { kind: 'basic', scheme: 'Basic', username: 'test', password: '123£', encoding: 'iso-8859-1' },
  ],
  [
    `Basic ${b64('jürgen:pässwörd 東京')}`,
    { kind: 'basic', scheme: 'Basic', username: 'jürgen', password: 'pässwörd 東京', encoding: 'utf-8' },
  ],
  [`Basic ${b64(':')}`, { kind: 'basic', scheme: 'Basic', username: '', password: '', encoding: 'utf-8' }],
  [`Basic ${b64('u:p:x')}`, { kind: 'basic', scheme: 'Basic', username: 'u', password: 'p:x', encoding: 'utf-8' }],
  [`Basic ${b64('user:')}`, { kind: 'basic', scheme: 'Basic', username: 'user', password: '', encoding: 'utf-8' }],
  ['Bearer abc.def.ghi', { kind: 'bearer', scheme: 'Bearer', token: 'abc.def.ghi' }],
  ['bearer abc', { kind: 'bearer', scheme: 'bearer', token: 'abc' }],
  ['BEARER abc', { kind: 'bearer', scheme: 'BEARER', token: 'abc' }],
  ['Bearer  abc', { kind: 'bearer', scheme: 'Bearer', token: 'abc' }],
  ['Bearer abc ', { kind: 'bearer', scheme: 'Bearer', token: 'abc' }],
  ['Bearer mF_9.B5f-4.1JqM', { kind: 'bearer', scheme: 'Bearer', token: 'mF_9.B5f-4.1JqM' }],
  ['Bearer a+b/c~d==', { kind: 'bearer', scheme: 'Bearer', token: 'a+b/c~d==' }],
  [
    // RFC 7616 §3.9.1's example (SHA-256).
    'Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    {
      kind: 'digest',
      scheme: 'Digest',
      digest: {
        username: 'Mufasa',
        realm: 'http-auth@example.org',
        uri: '/dir/index.html',
        algorithm: 'SHA-256',
        nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
        nc: '00000001',
        cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
        qop: 'auth',
        response: '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
        opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
      },
    },
  ],
  [
    // RFC 7616 §3.4.4: a non-ASCII username as username* (RFC 8187).
    `Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, realm="api@example.org", uri="/doe.json", nonce="n", response="r", userhash=false`,
    {
      kind: 'digest',
      scheme: 'Digest',
      digest: {
        username: 'Jäsøn Doe',
        realm: 'api@example.org',
        uri: '/doe.json',
        nonce: 'n',
        response: 'r',
        userhash: false,
      },
    },
  ],
  [
    'Negotiate YIIFzQYJKoZIhvcSAQICAQBuggW8==',
    { kind: 'other', scheme: 'Negotiate', params: {}, token68: 'YIIFzQYJKoZIhvcSAQICAQBuggW8==' },
  ],
  ['Custom a=b, C="d, e"', { kind: 'other', scheme: 'Custom', params: { a: 'b', c: 'd, e' } }],
  ['ApiKey', { kind: 'other', scheme: 'ApiKey', params: {} }],
];

const bad: Array<[string | string[], AuthorizationProblem]> = [
  ['', 'empty'],
  ['   ', 'empty'],
  [':abc', 'scheme_invalid'],
  ['"Bearer" abc', 'scheme_invalid'],
  ['Bearer:abc', 'missing_space_after_scheme'],
  ['Bearer\tabc', 'missing_space_after_scheme'],
  ['Basic:dXNlcjpwYXNz', 'missing_space_after_scheme'],
  ['Bearer', 'bearer_missing_token'],
  ['Bearer ', 'bearer_missing_token'],
  ['Bearer Bearer abc', 'bearer_token_invalid'],
  ['Bearer "abc"', 'bearer_token_invalid'],
  ['Bearer abc\n', 'bearer_token_invalid'],
  ['Bearer abc\r\n', 'bearer_token_invalid'],
  ['Bearer ab=c', 'bearer_token_invalid'],
  ['Bearer abc def', 'bearer_token_invalid'],
  ['Bearer ab\u00e9', 'bearer_token_invalid'],
  // Two Authorization fields, joined by Headers or a proxy.
  ['Bearer abc, Bearer def', 'bearer_token_invalid'],
  [['Bearer abc', 'Bearer def'], 'multiple_fields'],
  [['Basic a', 'Bearer b'], 'multiple_fields'],
  ['Basic', 'basic_missing_token'],
  ['Basic !!!!', 'basic_not_base64'],
  ['Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=', 'basic_not_base64'],
  ['Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ===', 'basic_not_base64'],
  ['Basic Q', 'basic_not_base64'],
  ['Basic dXNlcjpwYXNz dXNlcjpwYXNz', 'basic_not_base64'],
  [`Basic ${b64('user')}`, 'basic_no_colon'],
  [`Basic ${b64('user:pa\u0000ss')}`, 'basic_control_character'],
  [`Basic ${b64('user:pass\n')}`, 'basic_control_character'],
  ['Digest username="a", realm="r", uri="/", nonce="n"', 'digest_missing_param'],
  ['Digest username="a", realm="r", uri="/", nonce="n", response="x", qop=auth, cnonce="c"', 'digest_missing_param'],
  ['Digest username="a", username*=UTF-8\'\'b, realm="r", uri="/", nonce="n", response="x"', 'digest_missing_param'],
  ['Digest username*=UTF-8\'\'%ZZ, realm="r", uri="/", nonce="n", response="x"', 'digest_missing_param'],
  ['Digest username="a", realm="r", uri="/", nonce="n", response="x", userhash=maybe', 'digest_missing_param'],
  ['Digest username="a" junk, realm="r"', 'digest_params_invalid'],
  ['Digest abc==', 'digest_params_invalid'],
  ['Custom a=b junk', 'params_invalid'],
  ['Custom a="b', 'params_invalid'],
];

describe('parseAuthorization', () => {
  for (const [input, credentials] of ok) {
    it(`reads ${JSON.stringify(input).slice(0, 80)}`, () => {
      assert.deepStrictEqual(parseAuthorization(input), { ok: true, credentials });
    });
  }
  for (const [input, problem] of bad) {
    it(`calls ${JSON.stringify(input).slice(0, 60)} ${problem}`, () => {
      const result = parseAuthorization(input);
      assert.equal(result.ok, false);
      assert.ok(!result.ok);
      assert.equal(result.problem, problem);
      assert.ok(result.message.length > 20, 'the message says what to send instead');
    });
  }

  it('never repeats the credential in its message', () => {
    const secret = 'c2VjcmV0LXRva2Vu';
    for (const input of [`Bearer "${secret}"`, `Bearer ${secret} ${secret}`, `Basic ${secret}x`]) {
      const result = parseAuthorization(input);
      assert.ok(!result.ok);
      assert.ok(!result.message.includes(secret), result.message);
    }
  });

  it('accepts a single-element array (Node rawHeaders with one field)', () => {
    assert.deepStrictEqual(parseAuthorization(['Bearer abc']), {
      ok: true,
      credentials: { kind: 'bearer', scheme: 'Bearer', token: 'abc' },
    });
  });

  it('treats a missing field as empty, never throwing', () => {
    assert.equal(parseAuthorization(undefined).ok, false);
    assert.equal(parseAuthorization(null).ok, false);
    assert.equal(parseAuthorization([]).ok, false);
  });

  it('reads an 8 KiB bearer token', () => {
    const token = 'a'.repeat(8192);
    assert.deepStrictEqual(parseAuthorization(`Bearer ${token}`), {
      ok: true,
      credentials: { kind: 'bearer', scheme: 'Bearer', token },
    });
  });
});

describe('formatAuthorization', () => {
  it('formats Basic as UTF-8 then base64 (RFC 7617 §2.1)', () => {
    assert.equal(
      formatAuthorization({ kind: 'basic', username: 'Aladdin', password: 'open sesame' }),
      'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==',
    );
    assert.equal(formatAuthorization({ kind: 'basic', username: 'test', password: '123£' }), 'Basic dGVzdDoxMjPCow==');
  });

  it('formats Bearer and keeps a given scheme spelling', () => {
    assert.equal(formatAuthorization({ kind: 'bearer', token: 'abc' }), 'Bearer abc');
    assert.equal(formatAuthorization({ kind: 'bearer', scheme: 'bearer', token: 'abc' }), 'bearer abc');
  });

  it('formats Digest with tokens bare and the rest quoted, username* for non-ASCII', () => {
    assert.equal(
      formatAuthorization({
        kind: 'digest',
        digest: {
          username: 'Mufasa',
          realm: 'r',
          uri: '/a?b=c',
          nonce: 'n',
          nc: '00000001',
          cnonce: 'c',
          qop: 'auth',
          algorithm: 'MD5',
          response: 'abc',
          opaque: 'o',
        },
      }),
      'Digest username="Mufasa", realm="r", uri="/a?b=c", algorithm=MD5, nonce="n", nc=00000001, cnonce="c", qop=auth, response="abc", opaque="o"',
    );
    assert.match(
      formatAuthorization({
        kind: 'digest',
        digest: { username: 'Jäsøn Doe', realm: 'r', uri: '/', nonce: 'n', response: 'x' },
      }),
      /^Digest username\*=UTF-8''J%C3%A4s%C3%B8n%20Doe, /,
    );
  });

  const invalid: Array<[string, Credentials]> = [
    ['a Basic username with ":"', { kind: 'basic', username: 'a:b', password: 'x' }],
    ['a Basic password with a newline', { kind: 'basic', username: 'a', password: 'x\n' }],
    ['a Bearer token with a space', { kind: 'bearer', token: 'a b' }],
    ['a Bearer token with a trailing newline', { kind: 'bearer', token: 'abc\n' }],
    ['an empty Bearer token', { kind: 'bearer', token: '' }],
    [
      'a Digest value with CR LF',
      { kind: 'digest', digest: { username: 'a', realm: 'r\r\nX: y', uri: '/', nonce: 'n', response: 'x' } },
    ],
    ['an "other" scheme with a space', { kind: 'other', scheme: 'A B', params: {} }],
  ];
  for (const [what, credentials] of invalid) {
    it(`refuses ${what} with a coded TypeError that does not echo the secret`, () => {
      assert.throws(
        () => formatAuthorization(credentials),
        (error: unknown) => {
          assert.ok(error instanceof TypeError);
          assert.equal((error as { code?: string }).code, INVALID_ARGUMENT);
          for (const secret of ['x\n', 'a b', 'abc\n']) assert.ok(!error.message.includes(secret));
          return true;
        },
      );
    });
  }
});

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 20,
});
const unicodeText = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s));

const anyCredentials: fc.Arbitrary<Credentials> = fc.oneof(
  fc
    .tuple(
      unicodeText.filter((s) => !s.includes(':')),
      unicodeText,
    )
    .map(
      ([username, password]): Credentials => ({
        kind: 'basic',
        scheme: 'Basic',
        username,
        password,
        encoding: 'utf-8',
      }),
    ),
  token68.map((t): Credentials => ({ kind: 'bearer', scheme: 'Bearer', token: t })),
  fc.tuple(unicodeText, quotable, printable, fc.option(fc.constantFrom('auth', 'auth-int')), fc.boolean()).map(
    ([username, realm, uri, qop, userhash]): Credentials => ({
      kind: 'digest',
      scheme: 'Digest',
      digest: {
        username,
        realm,
        uri,
        nonce: 'bm9uY2U=',
        response: '6629fae49393a05397450978507c4ef1',
        ...(qop ? { qop, nc: '00000001', cnonce: '0a4f113b' } : {}),
        userhash,
      },
    }),
  ),
  fc
    .tuple(
      token.filter((t) => !['basic', 'bearer', 'digest'].includes(t.toLowerCase())),
      fc.oneof(
        token68.map((t) => ({ token68: t })),
        params.map((p) => ({ params: p })),
      ),
    )
    .map(([scheme, rest]): Credentials => ({ kind: 'other', scheme, params: {}, ...rest })),
);

describe('authorization: properties', () => {
  it('parseAuthorization(formatAuthorization(x)) equals x for every valid credential', () => {
    fc.assert(
      fc.property(anyCredentials, (credentials) => {
        assert.deepStrictEqual(parseAuthorization(formatAuthorization(credentials)), { ok: true, credentials });
      }),
      { numRuns: 2000 },
    );
  });

  // A leading space never takes a fast path (it is trimmed, then parsed the general way), so the
  // same input with one leading space is the general parser's answer.
  const base64Of = (text: string) => Buffer.from(text).toString('base64');
  const fastPaths = [
    {
      path: '"Bearer <token>"',
      schemes: ['Bearer', 'bearer', 'BEARER', 'bEaReR', 'Bearer ', 'Bearer\t', 'Bearerx', 'Basic'],
      token: fc.oneof(token68, anyString),
    },
    {
      path: '"Basic <base64>"',
      schemes: ['Basic', 'basic', 'BASIC', 'bAsIc', 'Basic ', 'Basic\t', 'Basicx', 'Bearer'],
      token: fc.oneof(
        fc.string().map(base64Of),
        fc.tuple(fc.string(), fc.string()).map(([u, p]) => base64Of(`${u}:${p}`)),
        fc.string().map((t) => base64Of(t).replace(/=+$/, '')),
        anyString,
      ),
    },
  ];
  for (const { path, schemes, token } of fastPaths) {
    it(`the fast path for ${path} agrees with the general parser on every input like it`, () => {
      const like = fc
        .tuple(
          fc.constantFrom(...schemes),
          fc.constantFrom(' ', '  ', '', '\t'),
          token,
          fc.constantFrom('', ' ', '\t', '=', ','),
        )
        .map(([scheme, space, tokenPart, tail]) => `${scheme}${space}${tokenPart}${tail}`);
      fc.assert(
        fc.property(like, (input) => {
          assert.deepStrictEqual(parseAuthorization(input), parseAuthorization(` ${input}`));
        }),
        { numRuns: 3000 },
      );
    });
  }

  it('never throws, on any string', () => {
    fc.assert(
      fc.property(anyString, (input) => {
        const result = parseAuthorization(input);
        assert.equal(typeof result.ok, 'boolean');
      }),
      { numRuns: 3000 },
    );
  });
});
