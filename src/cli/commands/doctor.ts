/** `gatehouse doctor`: the cause of a 401 (or 403, 429) named with evidence and the fix. */
import { Command } from 'commander';
import { diagnose, exitCode } from '../../doctor/diagnose.ts';
import { diagnoseHar, HarError, type HarSkip } from '../../doctor/har.ts';
import { renderMarkdown, renderTerminal } from '../../doctor/render.ts';
import type { Report } from '../../doctor/types.ts';
import { INVALID_ARGUMENT, secretRedactor } from '../../http/index.ts';
import { keySource } from '../key-option.ts';
import { createOutput } from '../output.ts';
import { UsageError } from '../usage-error.ts';
import { type Cli, collect, examples } from './command.ts';
import { type DoctorOptions, doctorTask } from './doctor-request.ts';

export function doctorCommand(cli: Cli): Command {
  return (
    new Command('doctor')
      .summary('name the cause of a 401 (or 403, 429) with evidence and the fix')
      .description(
        'Sends the request, compares the answer with variations of it, and names the cause of a refusal with ' +
          'the evidence and a fix it has tried. It re-sends the request to compare and to prove fixes; an unsafe ' +
          'method (POST…) is made to succeed by a fix at most once. Secrets are masked in every output.',
      )
      .usage(
        `<url> [options]
       gatehouse doctor --curl 'curl …' [options]   (a browser's "Copy as cURL")
       gatehouse doctor [options] -- curl …
       gatehouse doctor --har FILE [--replay] [options]`,
      )
      .argument('[url]', 'the http:// or https:// URL to probe')
      .option('-X, --request <method>', 'the method to send (default GET)')
      .option('-H, --header <line>', "a header to send, 'Name: value' (repeatable)", collect)
      .option('--bearer <token>', 'send Authorization: Bearer <token>')
      .option('--basic <user:pass>', 'send Authorization: Basic with this user and password')
      .option('-d, --data <body>', 'the request body')
      .option('--curl <line>', 'the request as a curl command line, in one argument (or give it after --)')
      .option('--har <file>', "diagnose every 401 and 403 in a HAR file (a browser's network log); sends nothing")
      .option('--replay', 'with --har: send each refused request again, to compare and to prove fixes')
      .option('--origin <origin>', 'also probe the CORS preflight a page at this origin sends (https://app.example)')
      .option('--key <key>', "verify a bearer JWT's signature with this key: a secret, PEM, JWK or key file")
      .option('--jwks <url>', "verify a bearer JWT's signature with the keys of this JWK Set")
      .option('--issuer <url>', "verify a bearer JWT's signature with the keys its issuer publishes")
      .option('--timeout <seconds>', "each request's time limit (default 5)")
      .option('--json', 'print the report as JSON')
      .option('--markdown', 'print the report as Markdown')
      // A second URL gets its own message, which never repeats it (see doctorTask).
      .allowExcessArguments()
      .addHelpText(
        'after',
        `
--key, --jwks and --issuer (one of them) go with a URL or a curl line.

Exit codes:
  0   it works
  1   a cause was named (a 2xx with a problem named too)
  2   no cause fits, or no answer came (unreachable)
  64  bad usage
${examples(
  ['gatehouse doctor https://api.example.com/me --bearer "$TOKEN"', 'why does this token get a 401?'],
  [
    'gatehouse doctor --curl \'curl https://api.example.com/me -H "Authorization: Bearer …"\'',
    'the request exactly as the browser sent it (devtools, "Copy as cURL")',
  ],
  [
    'gatehouse doctor http://localhost:8000/orders -X POST -d \'{"n":1}\' --basic alice:secret --json',
    'a POST with Basic credentials; the report as JSON',
  ],
  [
    'gatehouse doctor https://api.example.com/me --bearer "$TOKEN" --jwks https://login.example.com/jwks',
    "also check the token's signature against the issuer's keys",
  ],
  ['gatehouse doctor --har session.har', 'every 401 and 403 a browser recorded, diagnosed offline'],
)}`,
      )
      .action(async (_url: string | undefined, options: DoctorOptions, command: Command) =>
        cli.exitWith(await doctor(command.args, options, cli)),
      )
  );
}

async function doctor(positionals: readonly string[], options: DoctorOptions, cli: Cli): Promise<number> {
  const task = doctorTask(positionals, options, cli.afterDashes);
  const source = keySource(options);
  if (source && task.har !== undefined)
    throw new UsageError('--key, --jwks and --issuer go with a URL or a curl line, not --har');
  // A key given never reaches an output, in any encoding.
  const redact = secretRedactor(options.key !== undefined ? [options.key] : []);
  let reports: Report[];
  try {
    if (task.har !== undefined) {
      let skipped = 0;
      reports = await diagnoseHar(task.har, {
        replay: task.replay,
        onSkip: (skip: HarSkip) => {
          skipped++;
          cli.io.err(`gatehouse doctor: ${skip.message}`);
        },
        ...(task.timeoutMs ? { timeoutMs: task.timeoutMs } : {}),
      });
      if (reports.length === 0) {
        cli.io.out(`${task.har}: no 401 or 403 in it${skipped ? ` that could be read (${skipped} skipped)` : ''}`);
        return 0;
      }
    } else {
      // Fetched once, before the probes: a JWKS that cannot be had is told in the findings, not thrown.
      const keys = source ? { keys: await source.load() } : {};
      reports = [await diagnose({ ...task.request, ...keys })];
    }
  } catch (error) {
    // A request diagnose() cannot send as given (a header value with a newline), a HAR file that
    // is missing or no HAR: bad usage, in the library's words.
    if ((error as { code?: unknown }).code === INVALID_ARGUMENT || error instanceof HarError)
      throw new UsageError((error as Error).message.replace(/^diagnose: /, ''));
    throw error;
  }
  const { io } = cli;
  if (options.json) io.out(redact(JSON.stringify(task.har !== undefined ? reports : reports[0], null, 2)));
  else if (options.markdown) io.out(redact(reports.map(renderMarkdown).join('\n\n')));
  else {
    const { color } = createOutput(process.stdout);
    io.out(redact(reports.map((r) => renderTerminal(r, color)).join('\n\n')));
  }
  return Math.max(...reports.map(exitCode));
}
