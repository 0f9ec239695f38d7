import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerSecrets, secretRedactor } from '../../src/http/index.ts';

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
    // Angular and Laravel send XSRF-TOKEN back URL-decoded: that spelling is the secret too.
    const xsrf = headerSecrets('Cookie', 'XSRF-TOKEN=eyJpdiI6Im5vIn0%3D; bad=%E0%A4%A');
    assert.ok(xsrf.includes('eyJpdiI6Im5vIn0='));
    assert.ok(xsrf.includes('%E0%A4%A'), 'a value that does not decode stays as sent');
  });

  it('leaves text without the secrets alone, and ignores secrets too short to scrub', () => {
    assert.equal(secretRedactor([password, 'ab'])('nothing to see, ab'), 'nothing to see, ab');
  });
});

/**
 * How servers write a string into JSON. Each is a way an echoed secret reaches an output, and
 * the redactor must see through all of them: the secret's characters may be escaped in any mix.
 */
const hex4 = (c: string, upper = false) => {
  const h = c.charCodeAt(0).toString(16).padStart(4, '0');
  return `\\u${upper ? h.toUpperCase() : h}`;
};
const json = (s: string) => JSON.stringify(s).slice(1, -1);
const ESCAPE_STYLES: Record<string, (s: string) => string> = {
  'JSON.stringify': json,
  'PHP json_encode (\\/)': (s) => json(s).replaceAll('/', '\\/'),
  'Python json.dumps (non-ASCII as \\u00e9, surrogate pairs)': (s) =>
    json(s).replace(/[\u0080-\uffff]/g, (c) => hex4(c)),
  'Go encoding/json (<>& as \\u003c, U+2028)': (s) => json(s).replace(/[<>&\u2028\u2029]/g, (c) => hex4(c)),
  ".NET System.Text.Json (upper-case hex, +<>&'` escaped)": (s) =>
    json(s).replace(/[+<>&'`\u0080-\uffff]/g, (c) => hex4(c, true)),
  'Java (every character as \\uXXXX)': (s) =>
    s
      .split('')
      .map((c) => hex4(c))
      .join(''),
  'mixed: every other character escaped, hex case alternating': (s) =>
    s
      .split('')
      .map((c, i) => (i % 2 ? hex4(c, i % 4 === 1) : json(c)))
      .join(''),
  'nested: a JSON text inside a JSON string (PHP-style twice)': (s) =>
    json(`{"detail":"${json(s).replaceAll('/', '\\/')}"}`).replaceAll('/', '\\/'),
};

/** Reads back what a JSON parser would: every escape decoded, as often as it was applied. */
function readJson(text: string, times = 2): string {
  let out = text;
  for (let i = 0; i < times; i++)
    out = out.replace(/\\(u[0-9a-fA-F]{4}|["\\/bfnrt])/g, (_m, e: string) =>
      e[0] === 'u' ? String.fromCharCode(Number.parseInt(e.slice(1), 16)) : JSON.parse(`"\\${e}"`),
    );
  return out;
}

describe('secretRedactor, against JSON escapes of any character', () => {
  // Every character the usual encoders escape differently: '/', '+', non-ASCII (two bytes and astral),
  // '<', '&', '>', a quote, a backslash, a space, '~', '*', U+2028.
  const password = 'pa ss/+é<&>"\\~*😀\u2028-Zq9';
  const user = 'alice';
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const b64url = (text: string) => Buffer.from(text).toString('base64url');
  const forms: Record<string, string> = {
    raw: password,
    base64: b64(password),
    base64url: b64url(password),
    'percent-encoded': encodeURIComponent(password),
    'percent-encoded, lower-case hex': encodeURIComponent(password).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    'form-encoded': new URLSearchParams({ p: password }).toString().slice(2),
    'base64 of user:password': b64(`${user}:${password}`),
    'base64 of user:password, user of 1 character': b64(`a:${password}`),
    'base64 of user:password, user of 2 characters': b64(`ab:${password}`),
    'base64url of user:password': b64url(`${user}:${password}`),
  };
  const redact = secretRedactor([password]);

  for (const [style, write] of Object.entries(ESCAPE_STYLES)) {
    it(`scrubs every form of the secret written by ${style}`, () => {
      for (const [how, form] of Object.entries(forms)) {
        const echoed = `{"error":"invalid_client","error_description":"got ${write(form)} here"}`;
        const shown = redact(echoed);
        const read = readJson(shown);
        assert.ok(!read.includes(form), `${how}: ${shown}`);
        assert.ok(!read.includes('pa ss'), `${how}: ${shown}`);
        assert.match(shown, /got .*….* here/, `${how}: the text around it stays`);
        // What is left is still the JSON text the server wrote, with the secret cut out.
        assert.doesNotThrow(() => JSON.parse(shown), `${how}: ${shown}`);
      }
    });
  }

  it('replaces in the text as written: an escaped secret goes whole, its neighbours stay escaped', () => {
    const shown = redact(
      `"a\\/b ${ESCAPE_STYLES['Python json.dumps (non-ASCII as \\u00e9, surrogate pairs)']!(password)} \\u00e9\\/"`,
    );
    assert.equal(shown, '"a\\/b … \\u00e9\\/"');
  });

  it('still finds a secret written with a literal backslash sequence outside JSON', () => {
    const secret = 'C:\\new\\table-9f';
    assert.equal(secretRedactor([secret])(`path ${secret} end`), 'path … end');
  });

  it('sees percent-encoders that escape more than encodeURIComponent (%2A, %7E, %61)', () => {
    const secret = 'key*with~tilde-and-a';
    const r = secretRedactor([secret]);
    for (const written of ['key%2Awith%7Etilde-and-a', 'key%2awith%7etilde-and-%61', 'key*with%7Etilde%2Dand%2Da'])
      assert.equal(r(`?k=${written}&x=1`), '?k=…&x=1', written);
  });

  it('takes linear time in the length of the text', () => {
    const r = secretRedactor([password, 'another-secret-1234']);
    const time = (n: number) => {
      const text = '\\u00e9\\/%2A'.repeat(n);
      const start = performance.now();
      r(text);
      return performance.now() - start;
    };
    time(1000);
    const small = time(10_000);
    const large = time(100_000);
    assert.ok(large < small * 30 + 50, `10k: ${small.toFixed(1)} ms, 100k: ${large.toFixed(1)} ms`);
  });

  it('takes linear time on line-wrapped base64, raw and JSON-escaped line breaks', () => {
    const r = secretRedactor([password, 'another-secret-1234']);
    for (const unit of ['QUJD\r\n', 'QUJD\\n', 'Q\\r\\nU\nJ%0A']) {
      const time = (n: number) => {
        const text = unit.repeat(n);
        const start = performance.now();
        r(text);
        return performance.now() - start;
      };
      time(1000);
      const small = time(10_000);
      const large = time(100_000);
      assert.ok(
        large < small * 30 + 50,
        `${JSON.stringify(unit)} 10k: ${small.toFixed(1)} ms, 100k: ${large.toFixed(1)} ms`,
      );
    }
  });
});

describe('secretRedactor, base64 wrapped onto lines (MIME, PEM, chunk_split, openssl base64)', () => {
  const password = 'correct-horse/battery+staple 9';
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const basicHeader = (user: string) => `Basic ${b64(`${user}:${password}`)}`;
  const redactFor = (user: string) => secretRedactor([password, ...headerSecrets('authorization', basicHeader(user))]);
  const wrap = (text: string, width: number, eol: string) =>
    text.replace(new RegExp(`(.{${width}})(?=.)`, 'g'), `$1${eol}`);

  /** Every 4-character piece of the password decodable from `text`: line breaks (raw or JSON-escaped) dropped, each base64 run read at its 4 alignments, and the base64 inside that read again. */
  function decodablePieces(text: string): string[] {
    const found = new Set<string>();
    const look = (decoded: string) => {
      const read = decoded.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) =>
        String.fromCharCode(Number.parseInt(h, 16)),
      );
      for (const t of [decoded, read, read.replaceAll('+', ' ')])
        for (let i = 0; i + 4 <= password.length; i++)
          if (t.includes(password.slice(i, i + 4))) found.add(password.slice(i, i + 4));
    };
    const decodeRuns = (t: string, depth: number) => {
      look(t);
      if (depth === 0) return;
      for (const run of t.replace(/\\r|\\n|\r|\n/g, '').match(/[A-Za-z0-9+/_-]{2,}/g) ?? [])
        for (let shift = 0; shift < 4; shift++)
          for (const enc of ['base64', 'base64url'] as const)
            decodeRuns(Buffer.from(run.slice(shift), enc).toString('latin1'), depth - 1);
    };
    decodeRuns(text, 2);
    return [...found];
  }

  const echoes = (user: string) => ({
    'token request (Basic header and form body)': `POST /oauth/token HTTP/1.1\r\nAuthorization: ${basicHeader(user)}\r\n\r\ngrant_type=password&username=${user}&password=${encodeURIComponent(password)}`,
    'user:password pair': `${user}:${password}`,
    'client_secret_post body': `client_id=${user}&client_secret=${new URLSearchParams({ s: password }).toString().slice(2)}`,
    'the password alone': password,
  });

  for (const width of [76, 64, 57, 13, 4, 1])
    for (const eol of ['\n', '\r\n'])
      for (const json of [false, true])
        it(`cuts the secret from base64 wrapped at ${width} columns, ${JSON.stringify(eol)} line ends${json ? ', inside a JSON string' : ''}`, () => {
          for (const user of ['', 'a', 'ab', 'svc'])
            for (const [what, echoed] of Object.entries(echoes(user)))
              for (const before of ['', 'x', 'xy']) {
                const wrapped = wrap(b64(before + echoed), width, eol);
                const text = json
                  ? JSON.stringify({ error: 'invalid_client', echo: `request was:\n${wrapped}\n` })
                  : `echo:\n${wrapped}\n end`;
                const shown = redactFor(user)(text);
                assert.deepEqual(
                  decodablePieces(shown),
                  [],
                  `${what}, user ${JSON.stringify(user)}, prefix ${JSON.stringify(before)}: ${shown}`,
                );
                // Only the secret goes: what surrounds the base64 stays as written.
                if (json) assert.ok(shown.startsWith('{"error":"invalid_client","echo":"request was:\\n'), shown);
                else assert.ok(shown.startsWith('echo:\n') && shown.endsWith('\n end'), shown);
              }
        });

  it('leaves wrapped base64 and ordinary lines without the secret alone', () => {
    const r = redactFor('alice');
    for (const text of [
      wrap(b64('nothing secret here, just a long enough text to be wrapped over several lines'), 76, '\r\n'),
      JSON.stringify({ echo: wrap(b64('a harmless echo, wrapped the MIME way '.repeat(4)), 64, '\n') }),
      'line one\nline two\r\ncorrect\nhorse and battery\nstaple',
    ])
      assert.equal(r(text), text);
  });
});

describe('secretRedactor, short passwords inside longer base64', () => {
  const lenientDecode = (text: string) =>
    readJson(text).replace(/(%[0-9A-Fa-f]{2})+/g, (m) => {
      try {
        return decodeURIComponent(m);
      } catch {
        return m;
      }
    });
  const decodeAllShifts = (run: string) => {
    const out: string[] = [];
    for (let shift = 0; shift < 4; shift++) {
      const part = run.slice(shift);
      for (const enc of ['base64', 'base64url'] as const)
        for (const charset of ['latin1', 'utf8'] as const) out.push(Buffer.from(part, enc).toString(charset));
    }
    // A form body or a JSON text inside the base64 carries the secret escaped: read those too.
    return out.flatMap((text) => [text, lenientDecode(text)]);
  };

  for (const password of ['pw/4', 'hunt2', 'sh0rt!', 'é+/ab', 'seven77']) {
    it(`leaves no decodable 4-character piece of ${JSON.stringify(password)} at any alignment`, () => {
      const redact = secretRedactor([password]);
      for (const user of ['', 'a', 'ab', 'abc', 'abcd', 'someone']) {
        for (const echoed of [
          `${user}:${password}`,
          `GET /x HTTP/1.1\r\nX-Pair: ${user}:${password}\r\nAccept: */*\r\n`,
          `client_id=${user}&client_secret=${encodeURIComponent(password)}&grant_type=client_credentials`,
          `client_id=${user}&client_secret=${new URLSearchParams({ p: password }).toString().slice(2)}`,
          `{"user":"${user}","password":${JSON.stringify(password)}}`,
        ]) {
          for (const encode of [
            (t: string) => Buffer.from(t).toString('base64'),
            (t: string) => Buffer.from(t).toString('base64url'),
          ]) {
            const shown = redact(`echo ${encode(echoed)} end`);
            for (const run of shown.match(/[A-Za-z0-9+/_-]{2,}/g) ?? [])
              for (const decoded of decodeAllShifts(run))
                for (let i = 0; i + 4 <= password.length; i++)
                  assert.ok(!decoded.includes(password.slice(i, i + 4)), `${user}:${password} → ${shown}`);
          }
        }
      }
    });
  }
});
