/**
 * A "Copy as cURL" line read into the request the doctor probes with, as its own flags would give.
 *
 * Two steps, both linear: POSIX shell word splitting for what browsers emit (Chrome, Firefox and
 * Safari's "Copy as cURL" for bash), then curl's options. Anything else is refused with a typed
 * error that names the option, never a value: the pasted line carries credentials.
 */
import { GatehouseError } from '../http/gatehouse-error.ts';
import { redactUrl } from '../http/redact-url.ts';

export type CurlCommandErrorCode =
  | 'curl_syntax'
  | 'curl_windows_cmd'
  | 'curl_not_curl'
  | 'curl_unknown_option'
  | 'curl_missing_value'
  | 'curl_second_url'
  | 'curl_no_url'
  | 'curl_bad_url'
  | 'curl_bad_header'
  | 'curl_file'
  | 'curl_user_prompt';

/** A pasted curl line the doctor cannot read; `code` says which kind of mistake (never a value from the line). */
export class CurlCommandError extends GatehouseError {
  declare readonly code: CurlCommandErrorCode;
  constructor(code: CurlCommandErrorCode, message: string) {
    super(message, code);
  }
}

/** The request, in the doctor's own terms (DiagnoseOptions' url, method, headers, basic, data). */
export interface CurlRequest {
  url: string;
  /** Absent when curl would send GET. */
  method?: string;
  headers: Array<[string, string]>;
  /** `-u user:password`. */
  basic?: string;
  data?: string;
}

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

/** Options that change nothing the server sees, so the doctor ignores them. */
const HARMLESS_FLAGS = new Set([
  '-s',
  '--silent',
  '-S',
  '--show-error',
  '-v',
  '--verbose',
  '-k',
  '--insecure',
  '--compressed',
  '-L',
  '--location',
  '-i',
  '--include',
  '-g',
  '--globoff',
  '-f',
  '--fail',
  '-N',
  '--no-buffer',
  '--http1.1',
  '--http2',
  '--path-as-is',
  '-#',
  '--progress-bar',
  '--no-progress-meter',
]);
const HARMLESS_WITH_VALUE = new Set(['--connect-timeout', '-m', '--max-time', '-o', '--output']);
const WITH_VALUE: Record<string, string> = {
  '-X': '--request',
  '-H': '--header',
  '-b': '--cookie',
  '-u': '--user',
  '-d': '--data',
  '-A': '--user-agent',
  '-e': '--referer',
};
const LONG_WITH_VALUE = new Set([
  ...Object.values(WITH_VALUE),
  '--data-raw',
  '--data-binary',
  '--data-ascii',
  '--data-urlencode',
  '--url',
  '--oauth2-bearer',
]);
const SHORT_FLAGS: Record<string, string> = { G: '--get', I: '--head' };

/** A pasted line, `curl …`, as the doctor's request. */
export function parseCurlCommand(line: string): CurlRequest {
  return parseCurlArgs(splitShellWords(line));
}

/** curl's words (the first is `curl`), as the doctor's request. */
export function parseCurlArgs(words: readonly string[]): CurlRequest {
  const [program, ...args] = words;
  if (program === undefined || !/(^|[/\\])curl(\.exe)?$/.test(program))
    throw new CurlCommandError('curl_not_curl', 'not a curl command: it should start with curl');
  const options: Array<[string, string | undefined]> = [];
  const urls: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const take = (name: string): string => {
      const value = args[++i];
      if (value === undefined) throw new CurlCommandError('curl_missing_value', `${name} needs a value`);
      return value;
    };
    if (arg.startsWith('--')) {
      if (HARMLESS_FLAGS.has(arg) || arg === '--get' || arg === '--head') options.push([arg, undefined]);
      else if (HARMLESS_WITH_VALUE.has(arg)) take(arg);
      else if (LONG_WITH_VALUE.has(arg)) options.push([arg, take(arg)]);
      else throw unknown(arg.split('=')[0]!);
    } else if (arg.startsWith('-') && arg.length > 1) {
      // Short options bundle (-sSL) and take their value attached (-XPOST) or as the next word.
      for (let j = 1; j < arg.length; j++) {
        const short = `-${arg[j]}`;
        const long = WITH_VALUE[short];
        if (long !== undefined || HARMLESS_WITH_VALUE.has(short)) {
          const value = j + 1 < arg.length ? arg.slice(j + 1) : take(short);
          if (long !== undefined) options.push([long, value]);
          break;
        }
        if (SHORT_FLAGS[arg[j]!]) options.push([SHORT_FLAGS[arg[j]!]!, undefined]);
        else if (!HARMLESS_FLAGS.has(short)) throw unknown(short);
      }
    } else urls.push(arg);
  }
  for (const [name, value] of options) if (name === '--url') urls.push(value!);
  return buildRequest(options, urls);
}

function unknown(option: string): CurlCommandError {
  return new CurlCommandError(
    'curl_unknown_option',
    `curl option ${option} is not one the doctor knows; remove it or use the doctor flags`,
  );
}

function buildRequest(options: ReadonlyArray<[string, string | undefined]>, urls: readonly string[]): CurlRequest {
  if (urls.length === 0) throw new CurlCommandError('curl_no_url', 'the curl command has no URL');
  if (urls.length > 1)
    throw new CurlCommandError('curl_second_url', `a second URL, ${redactUrl(urls[1]!)}: paste one request at a time`);
  let url: URL;
  try {
    url = new URL(urls[0]!);
  } catch {
    throw new CurlCommandError('curl_bad_url', 'the URL is not an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CurlCommandError('curl_bad_url', `the URL is ${url.protocol} and the doctor speaks http and https`);

  let method: string | undefined;
  let get = false;
  let head = false;
  let basic: string | undefined;
  const headers: Array<[string, string]> = [];
  const cookies: string[] = [];
  const data: string[] = [];
  for (const [name, value = ''] of options) {
    if (name === '--request') method = value;
    else if (name === '--get') get = true;
    else if (name === '--head') head = true;
    else if (name === '--header') headers.push(header(value));
    else if (name === '--user-agent') headers.push(['User-Agent', value]);
    else if (name === '--referer') headers.push(['Referer', value]);
    else if (name === '--oauth2-bearer') headers.push(['Authorization', `Bearer ${value}`]);
    else if (name === '--cookie') {
      // curl reads a value without '=' as a cookie file name.
      if (!value.includes('=')) throw fileRefused('-b/--cookie', 'a cookie file');
      cookies.push(value);
    } else if (name === '--user') {
      if (!value.includes(':'))
        throw new CurlCommandError('curl_user_prompt', '-u needs user:password (curl would ask for the password)');
      basic = value;
    } else if (name === '--data-urlencode') data.push(urlencoded(value));
    else if (name === '--data-raw') data.push(value);
    else if (name.startsWith('--data')) {
      // curl reads @name as a file; --data and --data-ascii also drop CR and LF, --data-binary does not.
      if (value.startsWith('@')) throw fileRefused('-d/--data', 'a data file');
      data.push(name === '--data-binary' ? value : value.replace(/[\r\n]/g, ''));
    }
  }
  if (cookies.length) headers.push(['Cookie', cookies.join('; ')]);
  const request: CurlRequest = { url: urls[0]!, headers };
  if (data.length && get) {
    // -G: the data goes into the query string and the request stays GET.
    request.url = `${request.url}${request.url.includes('?') ? '&' : '?'}${data.join('&')}`;
  } else if (data.length) {
    request.data = data.join('&');
    if (!headers.some(([n]) => n.toLowerCase() === 'content-type'))
      headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  }
  const implied = head ? 'HEAD' : data.length && !get ? 'POST' : undefined;
  if (method ?? implied) request.method = (method ?? implied)!;
  if (basic !== undefined) request.basic = basic;
  return request;
}

function header(line: string): [string, string] {
  // curl: "Name;" sends an empty header; "Name:" would remove one, which is nothing to send.
  if (/^[^:\s]+;$/.test(line)) return [line.slice(0, -1), ''];
  const colon = line.indexOf(':');
  if (colon <= 0) throw new CurlCommandError('curl_bad_header', "a -H header has no 'Name: value' form");
  return [line.slice(0, colon).trim(), line.slice(colon + 1).replace(/^ /, '')];
}

/** --data-urlencode's forms: content, =content, name=content (name@file and @file are files). */
function urlencoded(value: string): string {
  const eq = value.indexOf('=');
  const at = value.indexOf('@');
  if (at >= 0 && (eq < 0 || at < eq)) throw fileRefused('--data-urlencode', 'a data file');
  if (eq < 0) return encodeURIComponent(value);
  const name = value.slice(0, eq);
  return `${name ? `${name}=` : ''}${encodeURIComponent(value.slice(eq + 1))}`;
}

function fileRefused(option: string, what: string): CurlCommandError {
  return new CurlCommandError(
    'curl_file',
    `${option} names ${what}, which the doctor does not read; paste its content`,
  );
}
