/** `gatehouse doctor` and `gatehouse token inspect`. */
import { parseCurlArgs, parseCurlCommand } from '../../doctor/curl-command.ts';
import { CurlCommandError } from '../../doctor/curl-command-error.ts';
import type { CurlRequest } from '../../doctor/curl-request.ts';
import { diagnose, exitCode } from '../../doctor/diagnose.ts';
import { diagnoseHar, HarError } from '../../doctor/har.ts';
import { malformedReason, pastedToken } from '../../doctor/jwt.ts';
import {
  httpUrl,
  type KeySet,
  KeySourceError,
  keysFromIssuer,
  keysFromJwks,
  keysFromOption,
} from '../../doctor/key-source.ts';
import { renderMarkdown, renderTerminal } from '../../doctor/render.ts';
import { inspectToken } from '../../doctor/token-inspect.ts';
import { type Verification, verifyToken } from '../../doctor/token-verify.ts';
import type { Report } from '../../doctor/types.ts';
import { INVALID_ARGUMENT, secretRedactor } from '../../http/index.ts';
import { createOutput } from '../output.ts';
import { EXIT_USAGE, type Io, parse, UsageError } from './command.ts';

export const DOCTOR_USAGE = `gatehouse doctor <url> [-X METHOD] [-H 'Name: value']… [--bearer TOKEN | --basic USER:PASS] [--data BODY] [--origin ORIGIN] [--json | --markdown]
gatehouse doctor --curl 'curl …' | -- curl …   [--origin ORIGIN] [--json | --markdown]   (a browser's "Copy as cURL")
  either form also takes [--key SECRET|PEM|JWK|FILE | --jwks URL | --issuer URL] to verify a bearer JWT's signature
gatehouse doctor --har FILE [--replay] [--json | --markdown]
  every form also takes [--timeout SECONDS] (each request's limit, default 5)
  exit 0 it works, 1 a cause was named (a 2xx with a problem named too), 2 no cause fits or no answer, 64 bad usage
  it re-sends the request to compare and to prove fixes; an unsafe method (POST…) is made to succeed by a fix at most once
gatehouse token inspect <JWT> [--date 'server Date'] [--key SECRET|PEM|JWK|FILE | --jwks URL | --issuer URL] [--json]
  (the token is decoded and verified here, never sent anywhere; exit 0 valid (without a key: nothing flagged), 1 a problem named, 2 the keys could not be fetched)`;

const asksHelp = (argv: readonly string[]) => {
  const own = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  return own.some((a) => a === '--help' || a === '-h') || own[0] === 'help';
};

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
    key: { type: 'string' },
    jwks: { type: 'string' },
    issuer: { type: 'string' },
  });
  if (values.json && values.markdown) throw new UsageError('choose --json or --markdown, not both');
  if (values.bearer !== undefined && values.basic !== undefined)
    throw new UsageError('choose --bearer or --basic, not both');
  if (values.basic !== undefined && !values.basic.includes(':'))
    throw new UsageError('--basic takes USER:PASS, with a colon between them');
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout) * 1000;
  // Node's timers hold at most 2^31 - 1 ms (about 24 days); beyond that they warn and are cut short.
  if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > 2_147_483_647))
    throw new UsageError('--timeout takes seconds (at most 2147483)');
  const source = keySource(values);
  if (source && values.har !== undefined)
    throw new UsageError('--key, --jwks and --issuer go with a URL or a curl line, not --har');
  // Fetched once, before the probes: a JWKS that cannot be had is told in the findings, not thrown.
  const keys = source ? { keys: await source.load() } : {};
  // A key given never reaches an output, in any encoding.
  const redact = secretRedactor(values.key !== undefined ? [values.key] : []);

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
        ...keys,
      }),
    ];
  } else {
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

export async function tokenCommand(argv: readonly string[], io: Io): Promise<number> {
  if (asksHelp(argv)) {
    io.out(
      DOCTOR_USAGE.split('\n')
        .filter((_line, i, all) => i >= all.findIndex((l) => l.startsWith('gatehouse token')))
        .join('\n'),
    );
    return 0;
  }
  try {
    return await token(argv, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`gatehouse token: ${error.message} (gatehouse token --help shows the usage)`);
    return EXIT_USAGE;
  }
}

async function token(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    date: { type: 'string' },
    key: { type: 'string' },
    jwks: { type: 'string' },
    issuer: { type: 'string' },
    json: { type: 'boolean' },
  });
  const [action, pasted, ...extra] = positionals;
  if (action !== 'inspect') throw new UsageError('token needs an action: inspect');
  if (!pasted) throw new UsageError('token inspect needs a JWT');
  if (extra.length) throw new UsageError('one JWT only: a second argument is not read (a key goes after --key)');
  const source = keySource(values);
  // The key never reaches an output, in any encoding a message could carry it in.
  const redact = secretRedactor(values.key !== undefined ? [values.key] : []);
  const out = (text: string) => io.out(redact(text));
  const token = pastedToken(pasted);
  const keys = source?.load;
  const secret = source?.secret; // an HMAC key given, whose length is worth a flag
  const inspection = inspectToken(token, {
    ...(values.date ? { serverDate: values.date } : {}),
    ...(secret !== undefined ? { key: secret } : {}),
  });
  if (!inspection) {
    io.err(
      redact(
        `gatehouse token inspect: malformed_token: that is not a JWT: ${malformedReason(token)}; opaque tokens can only be checked by their issuer`,
      ),
    );
    return 1;
  }
  const alg = String(inspection.header['alg'] ?? '');
  // An unsigned token is already flagged (alg_none): there is no signature to verify.
  const verification: Verification | undefined =
    keys && alg.toLowerCase() !== 'none' ? await verifyToken(token, await keys()) : undefined;
  if (verification?.outcome === 'invalid')
    inspection.flags.unshift({ code: verification.code, message: verification.message });
  if (values.json) {
    out(JSON.stringify({ ...inspection, ...(verification ? { signature: verification } : {}) }, null, 2));
  } else {
    out(`header  ${JSON.stringify(inspection.header)}`);
    out(`claims  ${JSON.stringify(inspection.claims, null, 2).replace(/\n/g, '\n        ')}`);
    for (const t of inspection.times)
      out(`${t.claim.padEnd(4)}    ${t.at}  (${t.local}${t.server ? `; ${t.server} by the server's Date` : ''})`);
    if (verification?.outcome === 'valid')
      out(
        `signature valid (${verification.alg}${verification.kid !== undefined ? `, key ${JSON.stringify(verification.kid)}` : ''} from ${verification.from})`,
      );
    if (verification?.outcome === 'undecided')
      out(`? ${verification.code}: ${verification.message}; the signature was not checked`);
    for (const flag of inspection.flags) out(`! ${flag.code}: ${flag.message}`);
    if (!verification) out('signature not checked: give --key, --jwks or --issuer to verify it');
    if (inspection.flags.length === 0 && verification?.outcome !== 'undecided') out('nothing to flag');
  }
  if (inspection.flags.length) return 1;
  return verification?.outcome === 'undecided' ? 2 : 0;
}

interface KeyOptions {
  key?: string | undefined;
  jwks?: string | undefined;
  issuer?: string | undefined;
}

/**
 * The keys `--key`, `--jwks` or `--issuer` name (one of them), checked now and fetched when asked
 * for. A source given wrongly is bad usage.
 */
function keySource(values: KeyOptions): { load: () => Promise<KeySet>; secret?: Uint8Array } | undefined {
  const sources = [values.key, values.jwks, values.issuer].filter((v) => v !== undefined).length;
  if (sources > 1) throw new UsageError('choose one of --key, --jwks or --issuer');
  try {
    if (values.key !== undefined) {
      const given = keysFromOption(values.key);
      const secret = given.length === 1 && given[0]!.kind === 'secret' ? { secret: given[0]!.bytes } : {};
      return { load: async () => ({ keys: given, from: '--key' }), ...secret };
    }
    if (values.jwks !== undefined) {
      const url = httpUrl('--jwks', values.jwks);
      return { load: () => keysFromJwks(url) };
    }
    if (values.issuer !== undefined) {
      const url = httpUrl('--issuer', values.issuer);
      return { load: () => keysFromIssuer(url) };
    }
  } catch (error) {
    if (error instanceof KeySourceError) throw new UsageError(error.message);
    throw error;
  }
  return undefined;
}
