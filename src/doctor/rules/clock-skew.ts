import { iso, relative } from '../jwt.ts';
import { received } from '../readings/evidence.ts';
import type { Rule } from '../types.ts';

const TOLERANCE = 60_000; // ms: below this, a skew is latency or rounding

/** The local clock and the server's disagree: token times and Retry-After dates read differently on each. */
export const clockSkew: Rule = {
  code: 'clock_skew',
  summary:
    "The server's `Date` and the local clock differ by more than a minute, so token times read differently on each side.",
  rank: 40,
  check(context) {
    if (context.serverDate === undefined) return undefined;
    const skew = context.localDate - context.serverDate;
    if (Math.abs(skew) < TOLERANCE) return undefined;
    return {
      code: 'clock_skew',
      severity: 'warning',
      title: `The local clock is ${relative(Math.abs(skew)).replace('in ', '')} ${skew > 0 ? 'ahead of' : 'behind'} the server's`,
      evidence: [...received(context.primary, 'date'), `  local clock: ${iso(context.localDate)}`],
      fix: 'Synchronize the clock (NTP). Judge token expiry and Retry-After dates by the server’s Date header, not the local clock.',
    };
  },
};
