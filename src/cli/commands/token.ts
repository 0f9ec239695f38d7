/** `gatehouse token inspect`: a JWT decoded and, given a key, verified here, never sent anywhere. */
import { Command } from 'commander';
import { malformedReason, pastedToken } from '../../doctor/jwt.ts';
import { inspectToken } from '../../doctor/token-inspect.ts';
import { type Verification, verifyToken } from '../../doctor/token-verify.ts';
import { parseHttpDate, secretRedactor } from '../../http/index.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_UNDECIDED } from '../exit-codes.ts';
import { type KeyOptions, keySource } from '../key-option.ts';
import { UsageError } from '../usage-error.ts';
import { type Cli, examples } from './command.ts';

interface InspectOptions extends KeyOptions {
  date?: string;
  json?: boolean;
}

export function tokenCommand(cli: Cli): Command {
  const inspect = new Command('inspect')
    .summary('decode a JWT locally and flag what is wrong with it')
    .description(
      'Decodes a JWT and flags what an API would refuse (expired, not yet valid, unsigned, a weak HMAC key…). ' +
        'The token is decoded and verified here, never sent anywhere; given a key, its signature is verified too.',
    )
    .argument('<jwt>', 'the token (a pasted "Bearer …" or "Authorization: Bearer …" line is read too)')
    .option('--date <http-date>', "judge the times by the server's Date header instead of this clock")
    .option('--key <key>', 'verify the signature with this key: a secret, PEM, JWK or key file')
    .option('--jwks <url>', 'verify the signature with the keys of this JWK Set')
    .option('--issuer <url>', 'verify the signature with the keys this issuer publishes')
    .option('--json', 'print the inspection as JSON')
    // A second argument gets its own message, which never repeats it.
    .allowExcessArguments()
    .addHelpText(
      'after',
      `
Exit codes:
  0   valid (without a key: nothing flagged)
  1   a problem named
  2   the keys could not be fetched
  64  bad usage
${examples(
  ['gatehouse token inspect "$TOKEN"', 'its header, claims and times; what is wrong with it'],
  [
    'gatehouse token inspect "$TOKEN" --date "Tue, 15 Nov 2025 08:12:31 GMT"',
    "is it expired by the server's clock (the Date header of its answer)?",
  ],
  ['gatehouse token inspect "$TOKEN" --jwks https://login.example.com/.well-known/jwks.json', 'verify its signature'],
  ['gatehouse token inspect "$TOKEN" --key "$JWT_SECRET" --json', 'verify an HS256 signature; print JSON'],
)}`,
    )
    .action(async (pasted: string, options: InspectOptions, command: Command) =>
      cli.exitWith(await inspectCommand(pasted, command.args.slice(1), options, cli)),
    );
  return new Command('token')
    .summary('inspect a JWT locally (token inspect)')
    .description('Tokens, looked at here: nothing is sent anywhere.')
    .usage('inspect <jwt> [options]')
    .addCommand(inspect);
}

async function inspectCommand(
  pasted: string,
  extra: readonly string[],
  options: InspectOptions,
  { io }: Cli,
): Promise<number> {
  if (extra.length) throw new UsageError('one JWT only: a second argument is not read (a key goes after --key)');
  if (options.date !== undefined && parseHttpDate(options.date) === undefined)
    throw new UsageError("--date takes the server's Date header, an HTTP-date such as 'Tue, 15 Nov 2025 08:12:31 GMT'");
  const source = keySource(options);
  // The key never reaches an output, in any encoding a message could carry it in.
  const redact = secretRedactor(options.key !== undefined ? [options.key] : []);
  const out = (text: string) => io.out(redact(text));
  const token = pastedToken(pasted);
  const keys = source?.load;
  const secret = source?.secret; // an HMAC key given, whose length is worth a flag
  const inspection = inspectToken(token, {
    ...(options.date ? { serverDate: options.date } : {}),
    ...(secret !== undefined ? { key: secret } : {}),
  });
  if (!inspection) {
    io.err(
      redact(
        `gatehouse token inspect: malformed_token: that is not a JWT: ${malformedReason(token)}; opaque tokens can only be checked by their issuer`,
      ),
    );
    return EXIT_FAILED;
  }
  const alg = String(inspection.header['alg'] ?? '');
  // An unsigned token is already flagged (alg_none): there is no signature to verify.
  const verification: Verification | undefined =
    keys && alg.toLowerCase() !== 'none' ? await verifyToken(token, await keys()) : undefined;
  if (verification?.outcome === 'invalid')
    inspection.flags.unshift({ code: verification.code, message: verification.message });
  if (options.json) {
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
  if (inspection.flags.length) return EXIT_FAILED;
  return verification?.outcome === 'undecided' ? EXIT_UNDECIDED : EXIT_OK;
}
