/**
 * What `gatehouse doctor` was asked to look at, read and checked before anything is sent: a URL
 * and the doctor's own request flags, a pasted curl line (`--curl LINE` or `-- curl …`), or a HAR
 * file. Every mistake here is bad usage (exit 64), said in one line.
 */
import { parseCurlArgs, parseCurlCommand } from '../../doctor/curl-command.ts';
import { CurlCommandError } from '../../doctor/curl-command-error.ts';
import type { CurlRequest } from '../../doctor/curl-request.ts';
import type { DiagnoseOptions } from '../../doctor/diagnose.ts';
import { isToken } from '../../http/field-syntax.ts';
import { originOption } from '../origin-option.ts';
import { probeUrl } from '../probe-url.ts';
import { UsageError } from '../usage-error.ts';

/** The doctor's options as commander read them. */
export interface DoctorOptions {
  request?: string;
  header?: string[];
  bearer?: string;
  basic?: string;
  data?: string;
  curl?: string;
  har?: string;
  replay?: boolean;
  origin?: string;
  key?: string;
  jwks?: string;
  issuer?: string;
  timeout?: string;
  json?: boolean;
  markdown?: boolean;
}

/** Either the request to diagnose (with --origin and --timeout folded in), or a HAR file to read. */
export type DoctorTask =
  | { request: DiagnoseOptions; har?: undefined }
  | { har: string; replay: boolean; timeoutMs?: number };

/** Node's timers hold at most 2^31 - 1 ms (about 24 days); beyond that they warn and are cut short. */
const MAX_TIMEOUT = 2_147_483; // s

export function doctorTask(
  positionals: readonly string[],
  options: DoctorOptions,
  curlWords: readonly string[] | undefined,
): DoctorTask {
  if (options.json && options.markdown) throw new UsageError('choose --json or --markdown, not both');
  if (options.bearer !== undefined && options.basic !== undefined)
    throw new UsageError('choose --bearer or --basic, not both');
  if (options.basic !== undefined && !options.basic.includes(':'))
    throw new UsageError('--basic takes USER:PASS, with a colon between them');
  if (options.request !== undefined && !isToken(options.request))
    // RFC 9110 §9.1: a method is a token, so no space or other separator can be in it.
    throw new UsageError('-X takes an HTTP method, a token such as GET or POST (no spaces or separators)');
  if (options.replay && options.har === undefined) throw new UsageError('--replay goes with --har FILE');
  const timeoutMs = timeout(options.timeout);
  const timed = timeoutMs === undefined ? {} : { timeoutMs };
  if (options.har !== undefined) {
    if (positionals.length) throw new UsageError('--har takes no URL');
    if (options.curl !== undefined || curlWords !== undefined)
      throw new UsageError('choose --har or a curl line, not both');
    if (options.origin !== undefined) throw new UsageError('--origin goes with a URL or a curl line, not --har');
    return { har: options.har, replay: options.replay === true, ...timed };
  }
  const request =
    options.curl !== undefined || curlWords !== undefined
      ? curlRequest(positionals, options, curlWords)
      : urlRequest(positionals, options);
  const origin = options.origin === undefined ? {} : { origin: originOption('--origin', options.origin) };
  return { request: { ...request, ...origin, ...timed } };
}

function timeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds > 0 && seconds <= MAX_TIMEOUT))
    throw new UsageError(`--timeout takes seconds, a number above 0 (at most ${MAX_TIMEOUT})`);
  return Math.ceil(seconds * 1000);
}

/** `--curl LINE` or `-- curl …`: the request a browser's "Copy as cURL" line makes. */
function curlRequest(
  positionals: readonly string[],
  options: DoctorOptions,
  curlWords: readonly string[] | undefined,
): CurlRequest {
  if (options.curl !== undefined && curlWords !== undefined)
    throw new UsageError('give --curl LINE or -- curl …, not both');
  const mixed = (['request', 'header', 'bearer', 'basic', 'data'] as const).find((name) => options[name] !== undefined);
  if (mixed) throw new UsageError(`the curl line carries the request: put --${mixed} in it, not beside it`);
  if (positionals.length) throw new UsageError('the curl line carries the URL: give no other');
  try {
    return curlWords ? parseCurlArgs(curlWords) : parseCurlCommand(options.curl!);
  } catch (error) {
    // A pasted line that cannot be read: its own message names the word, with secrets masked.
    if (error instanceof CurlCommandError) throw new UsageError(error.message, { subject: '--curl' });
    throw error;
  }
}

/** A URL and the doctor's own flags: the request they make. */
function urlRequest(positionals: readonly string[], options: DoctorOptions): DiagnoseOptions {
  const [url, ...extra] = positionals;
  if (!url) throw new UsageError('a URL is needed (or --curl LINE, or --har FILE)');
  // Never echoed: a stray argument is often a token or password that lost its flag.
  if (extra.length)
    throw new UsageError(
      'one URL only: a second argument is not read (a credential goes after --bearer, --basic or -H)',
    );
  const headers = (options.header ?? []).map((line): [string, string] => {
    const colon = line.indexOf(':');
    // The line is not echoed: without its name it may be the credential itself ("Bearer …").
    if (colon <= 0) throw new UsageError("-H takes 'Name: value' (a name, a colon, the value)");
    // The value as given after one optional space: stray whitespace is itself something to diagnose.
    return [line.slice(0, colon).trim(), line.slice(colon + 1).replace(/^ /, '')];
  });
  return {
    url: probeUrl(url),
    headers,
    ...(options.request ? { method: options.request } : {}),
    ...(options.bearer !== undefined ? { bearer: options.bearer } : {}),
    ...(options.basic !== undefined ? { basic: options.basic } : {}),
    ...(options.data !== undefined ? { data: options.data } : {}),
  };
}
