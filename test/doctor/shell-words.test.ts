/** POSIX shell word splitting, as browsers quote "Copy as cURL" lines for bash. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CurlCommandError } from '../../src/doctor/curl-command-error.ts';
import { splitShellWords } from '../../src/doctor/shell-words.ts';

describe('splitShellWords: the POSIX quoting browsers use', () => {
  const vectors: Array<[string, string, string[]]> = [
    ['plain words', 'curl https://a.test/x', ['curl', 'https://a.test/x']],
    ['single quotes keep everything', `curl -H 'X: "a" \\b $c'`, ['curl', '-H', 'X: "a" \\b $c']],
    [
      'double quotes with backslash escapes',
      'curl -H "X: \\"q\\" \\$HOME \\\\ \\n"',
      ['curl', '-H', 'X: "q" $HOME \\ \\n'],
    ],
    [
      'backslash-newline continuations (Chrome, Firefox)',
      "curl 'https://a.test/' \\\n  -H 'A: b' \\\r\n  --compressed",
      ['curl', 'https://a.test/', '-H', 'A: b', '--compressed'],
    ],
    [
      "Chrome's $'…': \\u escapes, \\' and \\n",
      'curl --data-raw $\'{"a":"it\\\'s\\u0021\\nnext\\\\"}\'',
      ['curl', '--data-raw', '{"a":"it\'s!\nnext\\"}'],
    ],
    ["$'…' octal, hex and \\t", "$'\\101\\x42\\t'", ['AB\t']],
    ['adjacent quoted parts join into one word', `a'b'"c"$'d'`, ['abcd']],
    ['an empty quoted word stays a word', `curl -d ''`, ['curl', '-d', '']],
    ['a backslash outside quotes escapes the next character', 'a\\ b', ['a b']],
  ];
  for (const [name, line, words] of vectors) it(name, () => assert.deepStrictEqual(splitShellWords(line), words));

  const refused: Array<[string, string, string]> = [
    ['an unterminated quote', `curl -H 'Authorization: Bearer abc`, 'curl_syntax'],
    [
      "Windows cmd's ^ escapes",
      'curl ^"https://a.test/^" ^\n  -H ^"Authorization: Bearer s3cr3t^"',
      'curl_windows_cmd',
    ],
    ['a pipe or a second command', "curl 'https://a.test/' ; curl 'https://b.test/'", 'curl_syntax'],
    ['a shell variable', 'curl -H "Authorization: Bearer $TOKEN" https://a.test/', 'curl_syntax'],
  ];
  for (const [name, line, code] of refused)
    it(`refuses ${name}`, () => {
      assert.throws(
        () => splitShellWords(line),
        (e: unknown) => e instanceof CurlCommandError && e.code === code && !/s3cr3t|abc/.test(e.message),
      );
    });
});
