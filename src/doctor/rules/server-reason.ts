import { getReason } from '../../http/index.ts';
import type { Rule } from '../types.ts';
import { statusLine } from './evidence.ts';

/** The server named its reason in a problem+json body: explain it from the shared catalogue. */
export const serverReason: Rule = {
  code: 'server_reason',
  summary: 'The server named its reason with a problem+json `code` from the shared catalogue: explained from it.',
  rank: 60,
  check(context) {
    const code = context.problem?.['code'];
    const reason = getReason(code);
    if (!reason) return undefined;
    // Reasons a rule of their own reads with more evidence: a revoked token (token_revoked), and
    // "missing" said of a request that carried Authorization (credentials_not_received, or a
    // scheme the server does not read: scheme_mismatch).
    if (reason.code === 'token_revoked') return undefined;
    if (reason.code === 'credentials_missing' && context.authorization.length > 0) return undefined;
    return {
      code: 'server_reason',
      // The server's own word is evidence of the cause; specific rules still come first.
      severity: (context.primary.response?.status ?? 0) >= 400 ? 'error' : 'info',
      title: `The server says: ${reason.code} (${reason.title})`,
      evidence: [
        statusLine(context.primary),
        `< problem code ${JSON.stringify(reason.code)}${context.problem?.detail ? `, detail ${JSON.stringify(String(context.problem.detail).slice(0, 200))}` : ''}`,
      ],
      fix: reason.hint,
    };
  },
};
