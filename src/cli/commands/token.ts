/** `gatehouse token inspect`: a JWT decoded and, given a key, verified here, never sent anywhere. */
import { malformedReason, pastedToken } from '../../doctor/jwt.ts';
import { inspectToken } from '../../doctor/token-inspect.ts';
import { type Verification, verifyToken } from '../../doctor/token-verify.ts';
import { secretRedactor } from '../../http/index.ts';
import { keySource } from '../key-option.ts';
import { asksHelp, EXIT_USAGE, type Io, parse, UsageError } from './command.ts';
import { DOCTOR_USAGE } from './doctor.ts';

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
