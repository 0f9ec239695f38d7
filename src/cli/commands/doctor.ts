/** `gatehouse doctor`; its usage text holds `gatehouse token inspect`'s too (token.ts). */
import { parseCurlArgs, parseCurlCommand } from '../../doctor/curl-command.ts';
import { CurlCommandError } from '../../doctor/curl-command-error.ts';
import type { CurlRequest } from '../../doctor/curl-request.ts';
import { type DiagnoseOptions, diagnose, exitCode } from '../../doctor/diagnose.ts';
import { diagnoseHar, HarError, type HarSkip } from '../../doctor/har.ts';
import { renderMarkdown, renderTerminal } from '../../doctor/render.ts';
import type { Report } from '../../doctor/types.ts';
import { INVALID_ARGUMENT, secretRedactor } from '../../http/index.ts';
import { keySource } from '../key-option.ts';
import { createOutput } from '../output.ts';
import { asksHelp, EXIT_USAGE, type Io, parse, UsageError } from './command.ts';

export const DOCTOR_USAGE = `gatehouse doctor <url> [-X METHOD] [-H 'Name: value']… [--bearer TOKEN | --basic USER:PASS] [--data BODY] [--origin ORIGIN] [--json | --markdown]
gatehouse doctor --curl 'curl …' | -- curl …   [--origin ORIGIN] [--json | --markdown]   (a browser's "Copy as cURL")
  either form also takes [--key SECRET|PEM|JWK|FILE | --jwks URL | --issuer URL] to verify a bearer JWT's signature
gatehouse doctor --har FILE [--replay] [--json | --markdown]
  every form also takes [--timeout SECONDS] (each request's limit, default 5)
  exit 0 it works, 1 a cause was named (a 2xx with a problem named too), 2 no cause fits or no answer, 64 bad usage
  it re-sends the request to compare and to prove fixes; an unsafe method (POST…) is made to succeed by a fix at most once
gatehouse token inspect <JWT> [--date 'server Date'] [--key SECRET|PEM|JWK|FILE | --jwks URL | --issuer URL] [--json]
  (the token is decoded and verified here, never sent anywhere; exit 0 valid (without a key: nothing flagged), 1 a problem named, 2 the keys could not be fetched)`;

export async function doctorCommand(argv: readonly string[], io: Io): Promise<number> {
  if (asksHelp(argv)) {
    io.out(DOCTOR_USAGE);
    return 0;
  }
  try {
    return await doctor(argv, io);
  } catch (error) {
    // A pasted line that cannot be read is bad usage, told in one line: the usage text would bury it.
    if (error instanceof CurlCommandError) {
      io.err(`gatehouse doctor --curl: ${error.message}`);
      return EXIT_USAGE;
    }
    // So is a request diagnose() cannot send as given (an ftp: URL, --basic without a colon), a HAR
    // file that is missing or no HAR, and any other usage mistake: one line, pointing at --help.
    if ((error as { code?: unknown }).code === INVALID_ARGUMENT || error instanceof HarError) {
      io.err(`gatehouse doctor: ${(error as Error).message.replace(/^diagnose: /, '')}`);
      return EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      io.err(`gatehouse doctor: ${error.message} (gatehouse doctor --help shows the usage)`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

const DOCTOR_OPTIONS = {
  curl: { type: 'string' },
  request: { type: 'string', short: 'X' },
  header: { type: 'string', short: 'H', multiple: true },
  bearer: { type: 'string' },
  basic: { type: 'string' },
  data: { type: 'string', short: 'd' },
  origin: { type: 'string' },
  har: { type: 'string' },
  replay: { type: 'boolean' },
  json: { type: 'boolean' },
  markdown: { type: 'boolean' },
  timeout: { type: 'string' },
  key: { type: 'string' },
  jwks: { type: 'string' },
  issuer: { type: 'string' },
} as const;

/** The doctor's command line, read and checked: its options, its URL, curl's words after `--`, the timeout. */
interface DoctorArgs {
  values: ReturnType<typeof parse<typeof DOCTOR_OPTIONS>>['values'];
  positionals: string[];
  curlWords: string[] | undefined;
  timeoutMs: number | undefined;
}

async function doctor(argv: readonly string[], io: Io): Promise<number> {
  const args = doctorArgs(argv);
  const { values, timeoutMs } = args;
  const source = keySource(values);
  if (source && values.har !== undefined)
    throw new UsageError('--key, --jwks and --issuer go with a URL or a curl line, not --har');
  // Fetched once, before the probes: a JWKS that cannot be had is told in the findings, not thrown.
  const keys = source ? { keys: await source.load() } : {};
  // A key given never reaches an output, in any encoding.
  const redact = secretRedactor(values.key !== undefined ? [values.key] : []);

  let reports: Report[];
  if (values.har !== undefined) {
    let skipped = 0;
    reports = await harReports(args, values.har, (skip) => {
      skipped++;
      io.err(`gatehouse doctor: ${skip.message}`);
    });
    if (reports.length === 0) {
      io.out(`${values.har}: no 401 or 403 in it${skipped ? ` that could be read (${skipped} skipped)` : ''}`);
      return 0;
    }
  } else {
    const request = values.curl !== undefined || args.curlWords !== undefined ? curlRequest(args) : urlRequest(args);
    reports = [
      await diagnose({
        ...request,
        ...(values.origin ? { origin: values.origin } : {}),
        ...(timeoutMs ? { timeoutMs } : {}),
        ...keys,
      }),
    ];
  }
  if (values.json) io.out(redact(JSON.stringify(values.har !== undefined ? reports : reports[0], null, 2)));
  else if (values.markdown) io.out(redact(reports.map(renderMarkdown).join('\n\n')));
  else {
    const { color } = createOutput(process.stdout);
    io.out(redact(reports.map((r) => renderTerminal(r, color)).join('\n\n')));
  }
  return Math.max(...reports.map(exitCode));
}

function doctorArgs(argv: readonly string[]): DoctorArgs {
  // `doctor [options] -- curl …`: the words after -- are curl's, already split by the user's shell.
  const dash = argv.indexOf('--');
  const curlWords = dash < 0 ? undefined : argv.slice(dash + 1);
  const { values, positionals } = parse(dash < 0 ? argv : argv.slice(0, dash), DOCTOR_OPTIONS);
  if (values.json && values.markdown) throw new UsageError('choose --json or --markdown, not both');
  if (values.bearer !== undefined && values.basic !== undefined)
    throw new UsageError('choose --bearer or --basic, not both');
  if (values.basic !== undefined && !values.basic.includes(':'))
    throw new UsageError('--basic takes USER:PASS, with a colon between them');
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout) * 1000;
  // Node's timers hold at most 2^31 - 1 ms (about 24 days); beyond that they warn and are cut short.
  if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > 2_147_483_647))
    throw new UsageError('--timeout takes seconds (at most 2147483)');
  return { values, positionals, curlWords, timeoutMs };
}

/** `--har FILE`: a report for each 401 or 403 the file holds; `onSkip` told of each entry that could not be read. */
function harReports(
  { values, positionals, curlWords, timeoutMs }: DoctorArgs,
  har: string,
  onSkip: (skip: HarSkip) => void,
): Promise<Report[]> {
  if (positionals.length) throw new UsageError('--har takes no URL');
  if (values.curl !== undefined || curlWords !== undefined)
    throw new UsageError('choose --har or a curl line, not both');
  return diagnoseHar(har, { replay: values.replay === true, onSkip, ...(timeoutMs ? { timeoutMs } : {}) });
}

/** `--curl LINE` or `-- curl …`: the request a browser's "Copy as cURL" line makes. */
function curlRequest({ values, positionals, curlWords }: DoctorArgs): CurlRequest {
  if (values.curl !== undefined && curlWords !== undefined)
    throw new UsageError('give --curl LINE or -- curl …, not both');
  const mixed = (['request', 'header', 'bearer', 'basic', 'data'] as const).find((name) => values[name] !== undefined);
  if (mixed) throw new UsageError(`the curl line carries the request: put --${mixed} in it, not beside it`);
  if (positionals.length) throw new UsageError('the curl line carries the URL: give no other');
  return curlWords ? parseCurlArgs(curlWords) : parseCurlCommand(values.curl!);
}

/** A URL and the doctor's own flags: the request they make. */
function urlRequest({ values, positionals }: DoctorArgs): DiagnoseOptions {
  const [url, ...extra] = positionals;
  if (!url) throw new UsageError('doctor needs a URL (or --har FILE)');
  // Never echoed: a stray argument is often a token or password that lost its flag.
  if (extra.length)
    throw new UsageError(
      'one URL only: a second argument is not read (a credential goes after --bearer, --basic or -H)',
    );
  const headers = (values.header ?? []).map((line): [string, string] => {
    const colon = line.indexOf(':');
    // The line is not echoed: without its name it may be the credential itself ("Bearer …").
    if (colon <= 0) throw new UsageError("-H takes 'Name: value' (a name, a colon, the value)");
    // The value as given after one optional space: stray whitespace is itself something to diagnose.
    return [line.slice(0, colon).trim(), line.slice(colon + 1).replace(/^ /, '')];
  });
  try {
    new URL(url);
  } catch {
    throw new UsageError('the URL is not an absolute http(s) URL: it starts with http:// or https://');
  }
  return {
    url,
    headers,
    ...(values.request ? { method: values.request } : {}),
    ...(values.bearer !== undefined ? { bearer: values.bearer } : {}),
    ...(values.basic !== undefined ? { basic: values.basic } : {}),
    ...(values.data !== undefined ? { data: values.data } : {}),
  };
}
