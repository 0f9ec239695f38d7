import { iso, relative, secondsClaim } from '../jwt.ts';
import type { Context, Finding } from '../types.ts';
import { received, statusLine } from './evidence.ts';
import { hint } from './fixes.ts';

/** The clock that counts: the server's Date when it sent one, else the local clock. */
export function serverNow(context: Context): { now: number; whose: string } {
  return context.serverDate !== undefined
    ? { now: context.serverDate, whose: "the server's clock (its Date header)" }
    : { now: context.localDate, whose: 'the local clock (the server sent no Date)' };
}

export function timeFinding(context: Context, claim: 'exp' | 'nbf'): Finding | undefined {
  if (!context.jwt) return undefined;
  const seconds = secondsClaim(context.jwt, claim);
  if (seconds === undefined) return undefined;
  const { now, whose } = serverNow(context);
  const at = seconds * 1000;
  const bad = claim === 'exp' ? at <= now : at > now;
  if (!bad) return undefined;
  const failed = (context.primary.response?.status ?? 0) >= 400;
  const code = claim === 'exp' ? 'token_expired' : 'token_not_yet_valid';
  return {
    code,
    severity: failed ? 'error' : 'warning',
    title:
      claim === 'exp'
        ? `The token expired ${relative(at - now).replace(' ago', '')} ago`
        : `The token is not valid for another ${relative(at - now).replace('in ', '')}`,
    evidence: [
      `  token ${claim} = ${iso(at)}`,
      `  ${whose}: ${iso(now)}`,
      ...received(context.primary, 'date'),
      statusLine(context.primary),
    ],
    // The server's hint for the same cause, then what the doctor measured.
    fix: `${hint(code)} Its ${claim} is ${iso(at)}; ${whose} reads ${iso(now)}.`,
  };
}
