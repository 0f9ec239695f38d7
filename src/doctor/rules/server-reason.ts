import { getReason, type ReasonCode } from '../../http/index.ts';
import { statusLine } from '../readings/evidence.ts';
import type { Context, Rule } from '../types.ts';
import { audienceMismatch } from './audience-mismatch.ts';
import { basicCredentialsRejected } from './basic-credentials-rejected.ts';
import { credentialsMissing } from './credentials-missing.ts';
import { credentialsRejected } from './credentials-rejected.ts';
import { dpopRefused } from './dpop-refused.ts';
import { insufficientScope } from './insufficient-scope.ts';
import { insufficientUserAuthentication } from './insufficient-user-authentication.ts';
import { issuerMismatch } from './issuer-mismatch.ts';
import { lockedOut } from './locked-out.ts';
import { permissionDenied } from './permission-denied.ts';
import { rateLimited } from './rate-limited.ts';
import { tokenExpired } from './token-expired.ts';
import { tokenNotYetValid } from './token-not-yet-valid.ts';
import { tokenRejected } from './token-rejected.ts';

/**
 * The rules that explain a catalogue reason with evidence of their own, each fix starting from the
 * same hint. When one of them fires, it is the finding for the server's reason: one cause, one fix.
 */
const EXPLAINED_BY: Partial<Record<ReasonCode, readonly Rule[]>> = {
  credentials_missing: [credentialsMissing],
  credentials_invalid: [basicCredentialsRejected, tokenRejected, credentialsRejected],
  token_expired: [tokenExpired],
  token_not_yet_valid: [tokenNotYetValid],
  token_audience_mismatch: [audienceMismatch],
  token_issuer_mismatch: [issuerMismatch],
  insufficient_scope: [insufficientScope],
  insufficient_user_authentication: [insufficientUserAuthentication],
  forbidden: [permissionDenied],
  rate_limited: [rateLimited],
  locked_out: [lockedOut],
  dpop_proof_invalid: [dpopRefused],
  dpop_nonce_required: [dpopRefused],
  dpop_binding_mismatch: [dpopRefused],
};

function explainedElsewhere(code: ReasonCode, context: Context): boolean {
  return (EXPLAINED_BY[code] ?? []).some((rule) => rule.check(context) !== undefined);
}

/** The server named its reason in a problem+json body: explain it from the shared catalogue. */
export const serverReason: Rule = {
  code: 'server_reason',
  summary:
    'The server named its reason with a problem+json `code` from the shared catalogue, and no rule explains that reason from evidence of its own: explained from the catalogue.',
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
    if (explainedElsewhere(reason.code as ReasonCode, context)) return undefined;
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
