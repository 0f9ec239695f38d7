import { contrast } from '../readings/comparison.ts';
import { hint, offeredSchemes } from '../readings/fixes.ts';
import { refusal } from '../readings/refusal.ts';
import type { Rule } from '../types.ts';

/** Credentials the server read and refused, when nothing more specific fits: an opaque token, an API key. */
export const credentialsRejected: Rule = {
  code: 'credentials_rejected',
  summary:
    'Credentials the server read and refused (its answer differs from the one without credentials), when no more specific cause fits and the server names none (a catalogue code of its own, a step-up, a DPoP error): an opaque token or an API key.',
  rank: 16,
  check(context) {
    const found = refusal(context);
    if (found?.refused.kind !== 'other') return undefined;
    const offered = offeredSchemes(context.challenges);
    return {
      code: 'credentials_rejected',
      severity: 'error',
      title: `The server read ${found.refused.what} and refused it`,
      evidence: contrast(context, found.comparison),
      fix: `${hint('credentials_invalid')}${offered ? ` The server asks for ${offered}.` : ''}`,
    };
  },
};
