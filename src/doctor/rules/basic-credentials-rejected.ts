import type { BasicCredentials } from '../../http/index.ts';
import { contrast } from '../readings/comparison.ts';
import { hint } from '../readings/fixes.ts';
import { refusal } from '../readings/refusal.ts';
import type { Rule } from '../types.ts';

/** A Basic pair the server decoded and refused: the answer differs from the one without credentials. */
export const basicCredentialsRejected: Rule = {
  code: 'basic_credentials_rejected',
  summary:
    'A Basic username and password the server read and refused: its answer differs from the one to the same request without credentials, and the server names no other cause (a catalogue code of its own, a step-up, a DPoP error).',
  rank: 12,
  check(context) {
    const found = refusal(context);
    if (found?.refused.kind !== 'basic') return undefined;
    const { username, password, encoding } = found.refused.credentials;
    const oddities = pairOddities(found.refused.credentials);
    return {
      code: 'basic_credentials_rejected',
      severity: 'error',
      title: `The server refuses the username and password (user ${JSON.stringify(username)})`,
      evidence: [
        `  username ${JSON.stringify(username)}; password ${describePassword(password, encoding)}`,
        ...contrast(context, found.comparison),
      ],
      // No remedy: the doctor has no other password to try, and never invents one.
      fix: `${hint('credentials_invalid')} Compare the pair character for character with what the server has for ${JSON.stringify(username)} (the username's case too)${oddities.length ? `: ${oddities.join('; ')}` : ''}. The pair goes as base64 of "user:password" in UTF-8, encoded once (RFC 7617 §2).`,
    };
  },
};

/** The password described without a character of it or its length: only what is unusual about it. */
function describePassword(password: string, encoding: BasicCredentials['encoding']): string {
  // Not its length: a report is pasted into issue trackers, and a length narrows a guess.
  if (password.length === 0) return 'empty';
  const traits = [
    /^[\x20-\x7e]*$/.test(password)
      ? 'ASCII'
      : `non-ASCII characters (read as ${encoding === 'iso-8859-1' ? 'ISO-8859-1' : 'UTF-8'})`,
  ];
  if (/^\s|\s$/.test(password)) traits.push('leading or trailing whitespace');
  return traits.join(', ');
}

function pairOddities({ username, password }: BasicCredentials): string[] {
  const oddities: string[] = [];
  if (password.length === 0) oddities.push('the password is empty (was it left out of user:password?)');
  if (/^\s|\s$/.test(password))
    oddities.push('the password starts or ends with whitespace, often a newline or space copied along with it');
  if (/^\s|\s$/.test(username)) oddities.push('the username starts or ends with whitespace');
  if (!/^[\x20-\x7e]*$/.test(username + password))
    oddities.push(
      'it has non-ASCII characters, which a server reading ISO-8859-1 (RFC 7617 §2.1: without charset="UTF-8") decodes to other bytes',
    );
  return oddities;
}
