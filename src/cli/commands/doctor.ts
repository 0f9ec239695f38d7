/** `gatehouse doctor` and `gatehouse token inspect`. */
import { CurlCommandError, type CurlRequest, parseCurlArgs, parseCurlCommand } from '../../doctor/curl-command.ts';
import { diagnose, exitCode } from '../../doctor/diagnose.ts';
import { diagnoseHar } from '../../doctor/har.ts';
import { renderMarkdown, renderTerminal } from '../../doctor/render.ts';
import { inspectToken } from '../../doctor/token-inspect.ts';
import type { Report } from '../../doctor/types.ts';
import { createOutput } from '../output.ts';
import { EXIT_USAGE, type Io, parse, UsageError } from './command.ts';

export const DOCTOR_USAGE = `gatehouse doctor <url> [-X METHOD] [-H 'Name: value']… [--bearer TOKEN | --basic USER:PASS] [--data BODY] [--origin ORIGIN] [--json | --markdown]
gatehouse doctor --curl 'curl …' | -- curl …   [--origin ORIGIN] [--json | --markdown]   (a browser's "Copy as cURL")
gatehouse doctor --har FILE [--replay] [--json | --markdown]
  exit 0 it works, 1 a cause was found, 2 it fails and no cause was found, 64 bad usage
gatehouse token inspect <JWT> [--date 'server Date'] [--key KEY]   (decoded here, never sent anywhere)`;

export async function doctorCommand(argv: readonly string[], io: Io): Promise<number> {
  try {
    return await doctor(argv, io);
  } catch (error) {
    // A pasted line that cannot be read is bad usage, told in one line: the usage text would bury it.
    if (!(error instanceof CurlCommandError)) throw error;
    io.err(`gatehouse doctor --curl: ${error.message}`);
    return EXIT_USAGE;
  }
}

async function doctor(argv: readonly string[], io: Io): Promise<number> {
  // `doctor [options] -- curl …`: the words after -- are curl's, already split by the user's shell.
  const dash = argv.indexOf('--');
  const curlWords = dash < 0 ? undefined : argv.slice(dash + 1);
  const { values, positionals } = parse(dash < 0 ? argv : argv.slice(0, dash), {
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
  });
  if (values.json && values.markdown) throw new UsageError('choose --json or --markdown, not both');
  if (values.bearer !== undefined && values.basic !== undefined)
    throw new UsageError('choose --bearer or --basic, not both');
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout) * 1000;
  if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs <= 0))
    throw new UsageError('--timeout takes seconds');

  let reports: Report[];
  if (values.har !== undefined) {
    if (positionals.length) throw new UsageError('--har takes no URL');
    if (values.curl !== undefined || curlWords !== undefined)
      throw new UsageError('choose --har or a curl line, not both');
    reports = await diagnoseHar(values.har, { replay: values.replay === true, ...(timeoutMs ? { timeoutMs } : {}) });
    if (reports.length === 0) {
      io.out(`${values.har}: no 401 or 403 in it`);
      return 0;
    }
  } else if (values.curl !== undefined || curlWords !== undefined) {
    if (values.curl !== undefined && curlWords !== undefined)
      throw new UsageError('give --curl LINE or -- curl …, not both');
    const mixed = (['request', 'header', 'bearer', 'basic', 'data'] as const).find(
      (name) => values[name] !== undefined,
    );
    if (mixed) throw new UsageError(`the curl line carries the request: put --${mixed} in it, not beside it`);
    if (positionals.length) throw new UsageError('the curl line carries the URL: give no other');
    const pasted: CurlRequest = curlWords ? parseCurlArgs(curlWords) : parseCurlCommand(values.curl!);
    reports = [
      await diagnose({
        ...pasted,
        ...(values.origin ? { origin: values.origin } : {}),
        ...(timeoutMs ? { timeoutMs } : {}),
      }),
    ];
  } else {
    const [url, ...extra] = positionals;
    if (!url) throw new UsageError('doctor needs a URL (or --har FILE)');
    if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
    const headers = (values.header ?? []).map((line): [string, string] => {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new UsageError(`-H takes 'Name: value', got ${JSON.stringify(line.slice(0, 40))}`);
      // The value as given after one optional space: stray whitespace is itself something to diagnose.
      return [line.slice(0, colon).trim(), line.slice(colon + 1).replace(/^ /, '')];
    });
    try {
      new URL(url);
    } catch {
      throw new UsageError(`${JSON.stringify(url)} is not an absolute http(s) URL`);
    }
    reports = [
      await diagnose({
        url,
        headers,
        ...(values.request ? { method: values.request } : {}),
        ...(values.bearer !== undefined ? { bearer: values.bearer } : {}),
        ...(values.basic !== undefined ? { basic: values.basic } : {}),
        ...(values.data !== undefined ? { data: values.data } : {}),
        ...(values.origin ? { origin: values.origin } : {}),
        ...(timeoutMs ? { timeoutMs } : {}),
      }),
    ];
  }
  if (values.json) io.out(JSON.stringify(values.har !== undefined ? reports : reports[0], null, 2));
  else if (values.markdown) io.out(reports.map(renderMarkdown).join('\n\n'));
  else {
    const { color } = createOutput(process.stdout);
    io.out(reports.map((r) => renderTerminal(r, color)).join('\n\n'));
  }
  return Math.max(...reports.map(exitCode));
}

export async function tokenCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    date: { type: 'string' },
    key: { type: 'string' },
    json: { type: 'boolean' },
  });
  const [action, token, ...extra] = positionals;
  if (action !== 'inspect') throw new UsageError('token needs an action: inspect');
  if (!token) throw new UsageError('token inspect needs a JWT');
  if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const inspection = inspectToken(token, {
    ...(values.date ? { serverDate: values.date } : {}),
    ...(values.key !== undefined ? { key: values.key } : {}),
  });
  if (!inspection) {
    io.err(
      'gatehouse token inspect: that is not a JWT (three base64url parts with a JSON header and claims); opaque tokens can only be checked by their issuer',
    );
    return 1;
  }
  if (values.json) {
    io.out(JSON.stringify(inspection, null, 2));
  } else {
    io.out(`header  ${JSON.stringify(inspection.header)}`);
    io.out(`claims  ${JSON.stringify(inspection.claims, null, 2).replace(/\n/g, '\n        ')}`);
    for (const t of inspection.times)
      io.out(`${t.claim.padEnd(4)}    ${t.at}  (${t.local}${t.server ? `; ${t.server} by the server's Date` : ''})`);
    for (const flag of inspection.flags) io.out(`! ${flag.code}: ${flag.message}`);
    if (inspection.flags.length === 0) io.out('nothing to flag');
  }
  return inspection.flags.length ? 1 : 0;
}
