import { received, statusLine } from '../readings/evidence.ts';
import type { Rule } from '../types.ts';

/** A Digest answer to a nonce the server has retired: not a wrong password. */
export const digestStaleNonce: Rule = {
  code: 'digest_stale_nonce',
  summary: 'A Digest challenge with `stale=true`: the nonce was retired, the password was right (RFC 7616 §3.3).',
  rank: 5,
  check(context) {
    const stale = context.challenges.find(
      (c) => c.scheme.toLowerCase() === 'digest' && c.params['stale']?.toLowerCase() === 'true',
    );
    if (!stale) return undefined;
    return {
      code: 'digest_stale_nonce',
      severity: 'info',
      title: 'The Digest nonce is stale; the password was right',
      evidence: [statusLine(context.primary), ...received(context.primary, 'www-authenticate')],
      fix: "Answer the new challenge with the new nonce, without asking the user again (RFC 7616 §3.3 stale=true); Gatehouse's digest() does this.",
    };
  },
};
