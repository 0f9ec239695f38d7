import { saysCsrf } from '../readings/csrf.ts';
import { credentialNames, probe, requestLine, statusLine, statusOf, wordsLine } from '../readings/evidence.ts';
import { offeredSchemes } from '../readings/fixes.ts';
import type { Rule } from '../types.ts';

/**
 * 403 where credentials were missing: the server should have said 401 and challenged. When the
 * request as given had none, that 403 is the answer to explain; when it had some, the comparison
 * probe's 403 is only a remark on the server's design, beside whatever refused the request itself.
 */
export const forbiddenInsteadOf401: Rule = {
  code: 'forbidden_instead_of_401',
  summary:
    "A 403 to a request without credentials, where RFC 9110 §15.5.2 calls for 401 and a challenge (DRF's session-first and older FastAPI's `HTTPBearer`).",
  rank: 30,
  check(context) {
    const given = credentialNames(context.primary);
    // A 403 that names CSRF is a CSRF check, not "no credentials" (csrf_failed).
    if (statusOf(context) === 403 && given.length === 0) {
      if (saysCsrf(context.primary)) return undefined;
      // With no challenge to read, the API's description is what names the credentials it wants.
      const documented = offeredSchemes([], context.apiDescription);
      return {
        code: 'forbidden_instead_of_401',
        severity: 'error',
        title: 'The server answers 403 to a request without credentials',
        evidence: [
          requestLine(context.primary),
          '> (no credentials)',
          statusLine(context.primary),
          ...wordsLine(context.primary),
        ],
        fix: `A request that is not authenticated should get 401 with a challenge (RFC 9110 §15.5.2, §15.5.4); as a client, treat this 403 as "credentials missing" and send them. (DRF answers 403 when its first authentication class has no challenge, as SessionAuthentication; FastAPI before 0.122 when HTTPBearer or an APIKey scheme finds nothing.)${documented ? ` Send credentials in a scheme the server offers: ${documented}.` : ''}`,
      };
    }
    const without = probe(context, 'without-credentials')[0];
    if (without?.response?.status !== 403 || saysCsrf(without)) return undefined;
    return {
      code: 'forbidden_instead_of_401',
      severity: 'warning',
      title: 'Without credentials the server answers 403, not 401',
      evidence: [
        requestLine(without),
        `> (the same request without ${given.join(', ')})`,
        statusLine(without),
        ...wordsLine(without),
      ],
      fix: 'About the server, not this request: an unauthenticated request should get 401 with a challenge (RFC 9110 §15.5.2), so that clients can tell "sign in" from "not allowed". Here a 403 can mean either: read its detail. (DRF answers so when its first authentication class has no challenge, as SessionAuthentication; FastAPI before 0.122 when HTTPBearer or an APIKey scheme finds nothing.)',
    };
  },
};
