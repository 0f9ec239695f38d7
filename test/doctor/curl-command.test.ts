/** "Copy as cURL" lines as browsers emit them, read into the doctor's request. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCurlCommand } from '../../src/doctor/curl-command.ts';
import { CurlCommandError } from '../../src/doctor/curl-command-error.ts';

describe('parseCurlCommand: the request a browser copied', () => {
  it("Chrome (bash): headers, cookie, --data-raw in $'…', implied POST", () => {
    const line = `curl 'https://api.example.test/v1/items?page=2' \\
  -H 'accept: application/json' \\
  -H 'authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig' \\
  -H 'content-type: application/json' \\
  -b 'sessionid=abc123; csrftoken=xyz' \\
  -H 'user-agent: Mozilla/5.0' \\
  --data-raw $'{"name":"it\\'s"}'`;
    assert.deepStrictEqual(parseCurlCommand(line), {
      url: 'https://api.example.test/v1/items?page=2',
      method: 'POST',
      headers: [
        ['accept', 'application/json'],
        ['authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig'],
        ['content-type', 'application/json'],
        ['user-agent', 'Mozilla/5.0'],
        ['Cookie', 'sessionid=abc123; csrftoken=xyz'],
      ],
      data: '{"name":"it\'s"}',
    });
  });

  it('Firefox: URL first, -X and long options, --compressed ignored', () => {
    const line = `curl 'https://a.test/me' --compressed -X PUT -H 'Accept: */*' -H 'Authorization: Token 9944b0' -H 'Cookie: a=1' --data-raw 'x=1'`;
    const req = parseCurlCommand(line);
    assert.equal(req.method, 'PUT');
    assert.deepStrictEqual(req.headers, [
      ['Accept', '*/*'],
      ['Authorization', 'Token 9944b0'],
      ['Cookie', 'a=1'],
      ['Content-Type', 'application/x-www-form-urlencoded'],
    ]);
    assert.equal(req.data, 'x=1');
  });

  it('Safari and hand-written: -u, -A, -e, bundled short flags, --url', () => {
    const req = parseCurlCommand(
      `curl -sSLk -XDELETE -u 'alice:p@ss word' -A 'agent/1' -e https://app.test/ --url https://a.test/x`,
    );
    assert.deepStrictEqual(req, {
      url: 'https://a.test/x',
      method: 'DELETE',
      headers: [
        ['User-Agent', 'agent/1'],
        ['Referer', 'https://app.test/'],
      ],
      basic: 'alice:p@ss word',
    });
  });

  it('several -d join with &, --data strips newlines, --data-urlencode encodes', () => {
    const req = parseCurlCommand(
      `curl https://a.test/ -d 'a=1' --data $'b=2\\n' --data-urlencode 'q=a b&c' --data-binary 'z'`,
    );
    assert.equal(req.data, 'a=1&b=2&q=a%20b%26c&z');
    assert.equal(req.method, 'POST');
  });

  it('-G moves the data into the query and stays GET; -I is HEAD; -X wins over data', () => {
    assert.deepStrictEqual(parseCurlCommand(`curl -G https://a.test/s?x=1 -d 'q=2'`), {
      url: 'https://a.test/s?x=1&q=2',
      headers: [],
    });
    assert.equal(parseCurlCommand('curl -I https://a.test/').method, 'HEAD');
    assert.equal(parseCurlCommand(`curl -X PATCH https://a.test/ -d 'a'`).method, 'PATCH');
  });

  const refused: Array<[string, string, string, RegExp]> = [
    [
      'an unknown option, named',
      `curl --frobnicate https://a.test/ -H 'Authorization: Bearer s3cr3t'`,
      'curl_unknown_option',
      /--frobnicate/,
    ],
    ['a second URL', `curl https://a.test/ https://b.test/?access_token=s3cr3t`, 'curl_second_url', /second URL/],
    ['a URL that is not http(s)', 'curl ftp://a.test/', 'curl_bad_url', /http/],
    ['no URL', `curl -H 'Authorization: Bearer s3cr3t'`, 'curl_no_url', /URL/],
    ['an option missing its value', 'curl https://a.test/ -H', 'curl_missing_value', /-H/],
    ['a data file', 'curl https://a.test/ -d @secrets.json', 'curl_file', /-d/],
    ['a cookie jar file', 'curl https://a.test/ -b cookies.txt', 'curl_file', /-b/],
    ['-u with no password (curl would prompt)', 'curl -u alice https://a.test/', 'curl_user_prompt', /-u/],
    ['a header without a colon', `curl https://a.test/ -H 'Bearer s3cr3t'`, 'curl_bad_header', /-H/],
    ['not a curl command', `wget --header='Authorization: Bearer s3cr3t' https://a.test/`, 'curl_not_curl', /curl/],
  ];
  for (const [name, line, code, message] of refused)
    it(`refuses ${name}, without echoing a secret`, () => {
      assert.throws(
        () => parseCurlCommand(line),
        (e: unknown) =>
          e instanceof CurlCommandError && e.code === code && message.test(e.message) && !e.message.includes('s3cr3t'),
      );
    });
});
