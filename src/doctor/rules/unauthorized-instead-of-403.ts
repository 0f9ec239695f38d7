import { received, serverError, statusLine, statusOf, wordsLine } from '../readings/evidence.ts';
import { scopeRefusal } from '../readings/scope-refusal.ts';
import type { Rule } from '../types.ts';

/** 401 for a request that was authenticated but not allowed: clients will refresh and retry in vain. */
export const unauthorizedInsteadOf403: Rule = {
  code: 'unauthorized_instead_of_403',
  summary:
    'A 401 whose reason is a missing scope or permission (`error="insufficient_scope"`, or FastAPI\'s `scope=` challenge for a token that was read): that is a 403 (RFC 6750 §3.1), and clients will refresh and retry in vain.',
  rank: 25,
  check(context) {
    if (statusOf(context) !== 401) return undefined;
    const error = serverError(context);
    const permission = error === 'forbidden';
    if (!permission && !scopeRefusal(context)) return undefined;
    return {
      code: 'unauthorized_instead_of_403',
      severity: 'warning',
      title: `401 for ${permission ? 'a missing permission' : 'a missing scope'}: that is a 403`,
      evidence: [
        statusLine(context.primary),
        ...received(context.primary, 'www-authenticate'),
        ...wordsLine(context.primary),
      ],
      fix: 'The credentials were fine; the permission is missing. RFC 6750 §3.1 answers insufficient_scope with 403. New credentials of the same grant will not help: ask for the scope or role.',
    };
  },
};
