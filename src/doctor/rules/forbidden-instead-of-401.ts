import type { Rule } from '../types.ts';
import { probe, requestLine, statusLine, statusOf } from './evidence.ts';
import { offeredSchemes } from './fixes.ts';

/** 403 where credentials were missing or invalid: the server should have said 401 and challenged. */
export const forbiddenInsteadOf401: Rule = {
  code: 'forbidden_instead_of_401',
  summary:
    "A 403 to a request without credentials, where RFC 9110 §15.5.2 calls for 401 and a challenge (DRF's session-first and older FastAPI's `HTTPBearer`).",
  rank: 30,
  check(context) {
    const without = probe(context, 'without-credentials')[0];
    const missing =
      statusOf(context) === 403 && context.authorization.length === 0
        ? context.primary
        : without?.response?.status === 403
          ? without
          : undefined;
    if (!missing) return undefined;
    // With no challenge to read, the API's description is what names the credentials it wants.
    const documented = offeredSchemes([], context.apiDescription);
    return {
      code: 'forbidden_instead_of_401',
      severity: statusOf(context) === 403 && missing === context.primary ? 'error' : 'warning',
      title: 'The server answers 403 to a request without credentials',
      evidence: [requestLine(missing), '> (no credentials)', statusLine(missing)],
      fix: `A request that is not authenticated should get 401 with a challenge (RFC 9110 §15.5.2, §15.5.4); as a client, treat this 403 as "credentials missing or invalid" and check them. (DRF and older FastAPI answer 403 when the first authentication class decides.)${documented ? ` Send credentials in a scheme the server offers: ${documented}.` : ''}`,
    };
  },
};
