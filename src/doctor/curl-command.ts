/**
 * A "Copy as cURL" line read into the request the doctor probes with, as its own flags would give.
 *
 * Two steps, both linear: POSIX shell word splitting for what browsers emit (Chrome, Firefox and
 * Safari's "Copy as cURL" for bash), then curl's options. Anything else is refused with a typed
 * error that names the option, never a value: the pasted line carries credentials.
 */
import { CurlCommandError } from './curl-command-error.ts';
import { buildRequest, type CurlRequest } from './curl-request.ts';
import { splitShellWords } from './shell-words.ts';

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
