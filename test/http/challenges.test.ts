import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type Challenge, formatChallenges, INVALID_ARGUMENT, parseChallenges } from '../../src/http/index.ts';
import { anyString, challenge } from '../support/arbitraries.ts';

const c = (scheme: string, params: Record<string, string> = {}, token68?: string): Challenge =>
  token68 === undefined ? { scheme, params } : { scheme, params, token68 };

// [input, expected] — each a situation a client meets in the wild.
const vectors: Array<[string, Challenge[]]> = [
  ['Basic realm="a"', [c('Basic', { realm: 'a' })]],
  ['Basic realm="Fake Realm"', [c('Basic', { realm: 'Fake Realm' })]],
  ['Basic realm="a", charset="UTF-8"', [c('Basic', { realm: 'a', charset: 'UTF-8' })]],
  [
    'Basic realm="a", Bearer error="invalid_token", error_description="x, y"',
    [c('Basic', { realm: 'a' }), c('Bearer', { error: 'invalid_token', error_description: 'x, y' })],
  ],
  ['Bearer', [c('Bearer')]],
  ['Bearer realm="example"', [c('Bearer', { realm: 'example' })]],
  [
    'Bearer realm="example", error="invalid_token", error_description="The access token expired"',
    [c('Bearer', { realm: 'example', error: 'invalid_token', error_description: 'The access token expired' })],
  ],
  [
    'Bearer error="insufficient_scope", scope="read write"',
    [c('Bearer', { error: 'insufficient_scope', scope: 'read write' })],
  ],
  ['Bearer realm="x",error="invalid_token"', [c('Bearer', { realm: 'x', error: 'invalid_token' })]],
  // RFC 9110 §11.6.1's own example.
  [
    'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"',
    [c('Newauth', { realm: 'apps', type: '1', title: 'Login to "apps"' }), c('Basic', { realm: 'simple' })],
  ],
  [
    'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    [
      c('Digest', {
        realm: 'http-auth@example.org',
        qop: 'auth, auth-int',
        algorithm: 'SHA-256',
        nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
        opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
      }),
    ],
  ],
  [
    'Digest realm="me@kennethreitz.com", nonce="abc", qop="auth", opaque="def", algorithm=MD5, stale=FALSE',
    [
      c('Digest', {
        realm: 'me@kennethreitz.com',
        nonce: 'abc',
        qop: 'auth',
        opaque: 'def',
        algorithm: 'MD5',
        stale: 'FALSE',
      }),
    ],
  ],
  // token68
  ['Negotiate abc==', [c('Negotiate', {}, 'abc==')]],
  [
    'Negotiate YIIFzQYJKoZIhvcSAQICAQBuggW8MIIFuKADAgEFoQMCAQ6i',
    [c('Negotiate', {}, 'YIIFzQYJKoZIhvcSAQICAQBuggW8MIIFuKADAgEFoQMCAQ6i')],
  ],
  ['Negotiate abc==, Basic realm="x"', [c('Negotiate', {}, 'abc=='), c('Basic', { realm: 'x' })]],
  ['Foo abc, Bar', [c('Foo', {}, 'abc'), c('Bar')]],
  ['Foo a/b+c=', [c('Foo', {}, 'a/b+c=')]],
  // A value the grammar reads as token68 rather than an empty parameter.
  ['Basic realm=', [c('Basic', {}, 'realm=')]],
  // Case: scheme kept as sent, parameter names lower-cased.
  ['BASIC REALM="a"', [c('BASIC', { realm: 'a' })]],
  ['bearer Error="invalid_token"', [c('bearer', { error: 'invalid_token' })]],
  // Whitespace: BWS around "=", tabs, OWS around commas.
  ['Basic realm = "a"', [c('Basic', { realm: 'a' })]],
  ['Basic\trealm="a"', [c('Basic', { realm: 'a' })]],
  ['Basic realm="a"\t,\tBearer', [c('Basic', { realm: 'a' }), c('Bearer')]],
  ['  Basic realm="a"  ', [c('Basic', { realm: 'a' })]],
  // Empty list elements.
  [',, Basic realm="a" ,, ', [c('Basic', { realm: 'a' })]],
  ['Basic,Bearer', [c('Basic'), c('Bearer')]],
  ['Basic, , ,Bearer realm="b"', [c('Basic'), c('Bearer', { realm: 'b' })]],
  // Quoted strings: escapes, commas and equals inside.
  ['Basic realm="a\\"b\\\\c"', [c('Basic', { realm: 'a"b\\c' })]],
  ['Basic realm="a\\bc"', [c('Basic', { realm: 'abc' })]],
  ['Basic realm="a,b", Bearer realm="c"', [c('Basic', { realm: 'a,b' }), c('Bearer', { realm: 'c' })]],
  ['Basic realm="x=y, Bearer z"', [c('Basic', { realm: 'x=y, Bearer z' })]],
  ['Basic realm=""', [c('Basic', { realm: '' })]],
  // Unterminated quote: the rest of the field is the value.
  ['Basic realm="unterminated', [c('Basic', { realm: 'unterminated' })]],
  ['Basic realm="a, Bearer', [c('Basic', { realm: 'a, Bearer' })]],
  // Unquoted values that are not tokens, as some servers send.
  ['Basic realm=foo/bar', [c('Basic', { realm: 'foo/bar' })]],
  ['Foo a=b, c=d, Bar e=f', [c('Foo', { a: 'b', c: 'd' }), c('Bar', { e: 'f' })]],
  // Duplicate parameter: the first wins.
  ['Basic realm="a", realm="b"', [c('Basic', { realm: 'a' })]],
  // Junk is skipped up to the next comma, the rest kept.
  ['Basic realm="a" junk, Bearer', [c('Basic', { realm: 'a' }), c('Bearer')]],
  ['Foo a="b"c, Bar', [c('Foo', { a: 'b' }), c('Bar')]],
  ['"quoted"', []],
  ['"quoted", Basic realm="a"', [c('Basic', { realm: 'a' })]],
  ['Foo =bar', [c('Foo')]],
  ['=', []],
  ['', []],
  ['   ', []],
  // Non-ASCII (obs-text and beyond) is kept as the header carried it.
  ['Basic realm="Zürich"', [c('Basic', { realm: 'Zürich' })]],
  ['Basic realm="caf\u00e9 \u6771\u4eac"', [c('Basic', { realm: 'caf\u00e9 \u6771\u4eac' })]],
  // A parameter named like an Object.prototype key stays an own, plain value.
  [
    'Foo __proto__="x", constructor="y"',
    [
      {
        scheme: 'Foo',
        params: Object.fromEntries([
          ['__proto__', 'x'],
          ['constructor', 'y'],
        ]),
      },
    ],
  ],
];

describe('parseChallenges', () => {
  for (const [input, expected] of vectors) {
    it(`parses ${JSON.stringify(input)}`, () => {
      assert.deepStrictEqual(parseChallenges(input), expected);
    });
  }

  it('reads every field line of an array (several WWW-Authenticate lines)', () => {
    assert.deepStrictEqual(parseChallenges(['Basic realm="a"', 'Bearer realm="b", error="invalid_token"']), [
      c('Basic', { realm: 'a' }),
      c('Bearer', { realm: 'b', error: 'invalid_token' }),
    ]);
  });

  it('reads repeated WWW-Authenticate fields from Headers', () => {
    const headers = new Headers();
    headers.append('WWW-Authenticate', 'Basic realm="a"');
    headers.append('WWW-Authenticate', 'Bearer error="invalid_token", error_description="x, y"');
    headers.append('Proxy-Authenticate', 'Basic realm="proxy"');
    assert.deepStrictEqual(parseChallenges(headers), [
      c('Basic', { realm: 'a' }),
      c('Bearer', { error: 'invalid_token', error_description: 'x, y' }),
    ]);
    assert.deepStrictEqual(parseChallenges(headers, { header: 'proxy-authenticate' }), [
      c('Basic', { realm: 'proxy' }),
    ]);
  });

  it('reads a plain header object whatever the case of its keys (Node IncomingHttpHeaders)', () => {
    assert.deepStrictEqual(parseChallenges({ 'WWW-Authenticate': 'Basic realm="a"' }), [c('Basic', { realm: 'a' })]);
    assert.deepStrictEqual(
      parseChallenges(
        { 'proxy-authenticate': ['Basic realm="p"', 'Digest realm="q"'] },
        { header: 'proxy-authenticate' },
      ),
      [c('Basic', { realm: 'p' }), c('Digest', { realm: 'q' })],
    );
    assert.deepStrictEqual(parseChallenges({}), []);
  });

  it('returns [] for null, undefined and non-header values', () => {
    assert.deepStrictEqual(parseChallenges(null), []);
    assert.deepStrictEqual(parseChallenges(undefined), []);
    assert.deepStrictEqual(parseChallenges(42 as unknown as string), []);
  });

  it('reads an 8 KiB header of 300 challenges', () => {
    const parts = Array.from({ length: 300 }, (_, i) => `Scheme${i} realm="r${i}", error="e, ${i}"`);
    const input = parts.join(', ');
    assert.ok(input.length > 8192);
    const parsed = parseChallenges(input);
    assert.equal(parsed.length, 300);
    assert.deepStrictEqual(parsed[299], c('Scheme299', { realm: 'r299', error: 'e, 299' }));
  });
});

describe('formatChallenges', () => {
  it('quotes values and escapes quotes and backslashes', () => {
    assert.equal(
      formatChallenges([
        c('Bearer', { realm: 'api', error: 'invalid_token', error_description: 'said "no" \\ twice' }),
      ]),
      'Bearer realm="api", error="invalid_token", error_description="said \\"no\\" \\\\ twice"',
    );
  });

  it("sends Digest's token-valued parameters bare, as RFC 7616 shows them", () => {
    assert.equal(
      formatChallenges([
        c('Digest', { realm: 'r', qop: 'auth, auth-int', algorithm: 'SHA-256', nonce: 'n', stale: 'true' }),
      ]),
      'Digest realm="r", qop="auth, auth-int", algorithm=SHA-256, nonce="n", stale=true',
    );
  });

  it('formats token68 challenges and several challenges in one value', () => {
    assert.equal(
      formatChallenges([c('Negotiate', {}, 'abc=='), c('Basic', { realm: 'x', charset: 'UTF-8' })]),
      'Negotiate abc==, Basic realm="x", charset="UTF-8"',
    );
    assert.equal(formatChallenges([c('Bearer')]), 'Bearer');
    assert.equal(formatChallenges([]), '');
  });

  const invalid: Array<[string, Challenge[]]> = [
    ['a scheme with a space', [c('Bad Scheme')]],
    ['an empty scheme', [c('')]],
    ['a parameter name with "="', [c('Basic', { 'a=b': 'x' })]],
    ['a CR LF in a value (header injection)', [c('Basic', { realm: 'a\r\nSet-Cookie: x=1' })]],
    ['a NUL in a value', [c('Basic', { realm: 'a\u0000' })]],
    ['a character above U+00FF', [c('Basic', { realm: '\u6771' })]],
    ['an invalid token68', [c('Negotiate', {}, 'a b')]],
    ['token68 and parameters together', [c('Negotiate', { realm: 'x' }, 'abc')]],
  ];
  for (const [what, challenges] of invalid) {
    it(`refuses ${what} with a coded TypeError`, () => {
      assert.throws(
        () => formatChallenges(challenges),
        (error: unknown) => {
          assert.ok(error instanceof TypeError);
          assert.equal((error as { code?: string }).code, INVALID_ARGUMENT);
          return true;
        },
      );
    });
  }

  it('refuses a non-array argument', () => {
    assert.throws(() => formatChallenges('Basic' as unknown as Challenge[]), { code: INVALID_ARGUMENT });
  });
});

describe('challenges: properties', () => {
  it('parseChallenges(formatChallenges(x)) equals x for every valid challenge list', () => {
    fc.assert(
      fc.property(fc.array(challenge, { maxLength: 5 }), (challenges) => {
        assert.deepStrictEqual(parseChallenges(formatChallenges(challenges)), challenges);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws, on any string', () => {
    fc.assert(
      fc.property(anyString, (input) => {
        const parsed = parseChallenges(input);
        assert.ok(Array.isArray(parsed));
      }),
      { numRuns: 3000 },
    );
  });
});
