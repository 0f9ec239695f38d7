import { carriesCredential } from '../../http/index.ts';
import { received, requestLine, statusLine, statusOf } from '../readings/evidence.ts';
import { hint, offeredSchemes } from '../readings/fixes.ts';
import type { Rule } from '../types.ts';

/** Nothing was sent, and the server wants credentials. */
export const credentialsMissing: Rule = {
  code: 'credentials_missing',
  summary: 'A 401 to a request that carries no credentials at all.',
  rank: 10,
  check(context) {
    if (statusOf(context) !== 401 || context.authorization.length > 0) return undefined;
    if (context.primary.request.headers.some(([n]) => carriesCredential(n))) return undefined;
    const challenged = offeredSchemes(context.challenges);
    const offered = offeredSchemes(context.challenges, context.apiDescription);
    return {
      code: 'credentials_missing',
      severity: 'error',
      title: 'The request carries no credentials',
      evidence: [
        requestLine(context.primary),
        '> (no Authorization header)',
        statusLine(context.primary),
        ...received(context.primary, 'www-authenticate'),
      ],
      // The catalogue's hint speaks of WWW-Authenticate; a server that challenged is told in its
      // own schemes, one that only describes its schemes (OpenAPI) as its description says.
      fix: challenged
        ? `${hint('credentials_missing')} This server offers ${offered}.`
        : offered
          ? `Send credentials in a scheme the server offers: ${offered}.`
          : `${hint('credentials_missing')} This server sent no challenge, so it did not say which scheme (see challenge_missing).`,
    };
  },
};
