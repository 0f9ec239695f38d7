import { parseAuthorization } from '../../http/index.ts';
import { csrfRefusal } from '../readings/csrf.ts';
import {
  credentialNames,
  probe,
  received,
  requestLine,
  SAYS_MISSING,
  SAYS_REFUSED,
  sameAnswer,
  serverError,
  serverWords,
  statusLine,
  statusOf,
  wordsLine,
} from '../readings/evidence.ts';
import { hint } from '../readings/fixes.ts';
import { scopeClaims, scopeRefusal } from '../readings/scope-refusal.ts';
import type { Context, Rule } from '../types.ts';

/**
 * Authenticated but not permitted: the request with credentials gets 403, the same without them 401
 * (or a 403 whose words say nothing was provided, as DRF's session-first views answer). The server
 * knew who was asking and said no: other credentials of the same account will not change that.
 */
export const permissionDenied: Rule = {
  code: 'permission_denied',
  summary:
    'A 403 to a request whose credentials the server accepted: without them it answers 401 (or says none were provided), so the account lacks the role or permission.',
  rank: 8,
  check(context) {
    if (statusOf(context) !== 403 || credentialNames(context.primary).length === 0) return undefined;
    // A server's own code for another cause, a CSRF check or a scope: other rules name those.
    const error = serverError(context);
    if (error !== undefined && error !== 'forbidden') return undefined;
    if (csrfRefusal(context.primary) || scopeRefusal(context)) return undefined;
    const without = probe(context, 'without-credentials')[0];
    const status = without?.response?.status;
    const missing = status === 401 || (status === 403 && SAYS_MISSING.test(serverWords(without) ?? ''));
    if (!missing || sameAnswer(context.primary, without)) return undefined;
    // Words of a credential read and refused ("Could not validate credentials") are not a permission.
    if (SAYS_REFUSED.test(serverWords(context.primary) ?? '')) return undefined;
    const account = accountOf(context);
    const claims = scopeClaims(context.jwt).filter(([claim]) => claim === 'roles' || claim === 'permissions');
    const facts = [
      `The server knows who is asking (${account.said}) and refuses this account.`,
      ...claims.map(([claim, values]) => `The token's ${claim} claim: ${JSON.stringify(values)}.`),
    ];
    return {
      code: 'permission_denied',
      severity: 'error',
      title: account.name
        ? `Authenticated as ${JSON.stringify(account.name)}, but not permitted`
        : 'Authenticated, but not permitted',
      evidence: [
        requestLine(context.primary),
        `> (credentials: ${credentialNames(context.primary).join(', ')})`,
        statusLine(context.primary),
        ...wordsLine(context.primary),
        requestLine(without!),
        '> (no credentials)',
        statusLine(without),
        ...received(without, 'www-authenticate'),
        ...wordsLine(without),
        ...claims.map(([claim, values]) => `  token ${claim} = ${JSON.stringify(values)}`),
      ],
      fix: `${facts.join(' ')} ${hint('forbidden')}`,
    };
  },
};

/** Who the credentials say is asking, as far as they tell without the server's help. */
function accountOf(context: Context): { name?: string; said: string } {
  for (const value of context.authorization) {
    const parsed = parseAuthorization(value);
    if (!parsed.ok) continue;
    if (parsed.credentials.kind === 'basic')
      return { name: parsed.credentials.username, said: `Basic user ${JSON.stringify(parsed.credentials.username)}` };
    if (parsed.credentials.kind === 'bearer') {
      const sub = context.jwt?.payload['sub'];
      return typeof sub === 'string' && sub
        ? { name: sub, said: `the token's subject ${JSON.stringify(sub)}` }
        : { said: 'the bearer token' };
    }
    return { said: `the ${parsed.credentials.scheme ?? 'Authorization'} credentials` };
  }
  const names = credentialNames(context.primary);
  return { said: names.some((n) => n.toLowerCase() === 'cookie') ? 'the session cookie' : `the ${names[0]} header` };
}
