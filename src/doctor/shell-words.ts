/**
 * POSIX shell word splitting (XCU §2.2) for what browsers emit as "Copy as cURL" for bash (Chrome,
 * Firefox and Safari), plus bash's $'…' quoting: linear, no expansion, one command only.
 */
import { CurlCommandError } from './curl-command-error.ts';

// POSIX (XCU §2.2): characters that end a word or start another command when unquoted.
const BLANK = new Set([' ', '\t', '\n', '\r']);
const OPERATOR = new Set(['|', '&', ';', '<', '>', '(', ')', '`']);
// Bash's $'…' (ANSI-C quoting): the single-character escapes.
const ANSI_C: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

/** The words a POSIX shell would pass to curl: quotes removed, escapes applied, no expansion. */
export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const unterminated = (what: string) => new CurlCommandError('curl_syntax', `the line ends inside ${what}`);
  while (i < line.length) {
    const c = line[i]!;
    if (BLANK.has(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === '\\') {
      // A backslash-newline is a line continuation (XCU §2.2.1); Windows line ends included.
      if (line[i + 1] === '\n') i += 2;
      else if (line[i + 1] === '\r' && line[i + 2] === '\n') i += 3;
      else if (i + 1 < line.length) {
        word = (word ?? '') + line[i + 1];
        i += 2;
      } else throw unterminated('an escape');
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw unterminated('single quotes');
      word = (word ?? '') + line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let text = '';
      i++;
      for (;;) {
        if (i >= line.length) throw unterminated('double quotes');
        const d = line[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < line.length) {
          // XCU §2.2.3: inside double quotes a backslash escapes only $ ` " \ and newline.
          const next = line[i + 1]!;
          if (next === '\n') text += '';
          else if ('$`"\\'.includes(next)) text += next;
          else text += `\\${next}`;
          i += 2;
          continue;
        }
        if (d === '`' || (d === '$' && /[A-Za-z_{(]/.test(line[i + 1] ?? ''))) throw expansion();
        text += d;
        i++;
      }
      word = (word ?? '') + text;
      i++;
    } else if (c === '$' && line[i + 1] === "'") {
      const [text, end] = ansiC(line, i + 2);
      word = (word ?? '') + text;
      i = end;
    } else if (c === '$' && /[A-Za-z_{(]/.test(line[i + 1] ?? '')) {
      throw expansion();
    } else if (c === '^') {
      throw new CurlCommandError(
        'curl_windows_cmd',
        'this looks like "Copy as cURL (cmd)" for Windows (^ escapes); copy it as cURL (bash) instead',
      );
    } else if (OPERATOR.has(c)) {
      throw new CurlCommandError('curl_syntax', `one curl command only: ${JSON.stringify(c)} outside quotes`);
    } else if (c === '#' && word === undefined) {
      // A comment runs to the end of the line.
      while (i < line.length && line[i] !== '\n') i++;
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

function expansion(): CurlCommandError {
  return new CurlCommandError(
    'curl_syntax',
    'the line uses shell expansion ($NAME, $(…) or `…`); paste the values, or use the doctor flags',
  );
}

/** The body of a $'…' word from `start` (after the quote): its text and the index after the closing quote. */
function ansiC(line: string, start: number): [string, number] {
  let text = '';
  let i = start;
  for (;;) {
    if (i >= line.length) throw new CurlCommandError('curl_syntax', "the line ends inside $'…'");
    const c = line[i]!;
    if (c === "'") return [text, i + 1];
    if (c !== '\\') {
      text += c;
      i++;
      continue;
    }
    const e = line[i + 1] ?? '';
    const simple = ANSI_C[e];
    if (simple !== undefined) {
      text += simple;
      i += 2;
      continue;
    }
    const numeric =
      e === 'x'
        ? /^[0-9A-Fa-f]{1,2}/.exec(line.slice(i + 2))
        : e === 'u'
          ? /^[0-9A-Fa-f]{1,4}/.exec(line.slice(i + 2))
          : e === 'U'
            ? /^[0-9A-Fa-f]{1,8}/.exec(line.slice(i + 2))
            : null;
    if (numeric) {
      text += String.fromCodePoint(Number.parseInt(numeric[0], 16));
      i += 2 + numeric[0].length;
    } else if (/[0-7]/.test(e)) {
      const octal = /^[0-7]{1,3}/.exec(line.slice(i + 1))![0];
      text += String.fromCharCode(Number.parseInt(octal, 8) & 0xff);
      i += 1 + octal.length;
    } else {
      // Bash keeps an unknown escape as written.
      text += `\\${e}`;
      i += 2;
    }
  }
}
