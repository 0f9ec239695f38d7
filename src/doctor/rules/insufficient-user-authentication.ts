import { received, statusLine } from '../readings/evidence.ts';
import { hint } from '../readings/fixes.ts';
import type { Rule } from '../types.ts';

const STEP_UP = 'insufficient_user_authentication';

/**
 * RFC 9470 §3: the token is good, the user's sign-in is not enough (too weak: `acr_values`; too old:
 * `max_age`). A new token from a refresh keeps the old sign-in; only signing in again helps.
 */
export const insufficientUserAuthentication: Rule = {
  code: STEP_UP,
  summary:
    'Step-up needed (RFC 9470): a 401 with `error="insufficient_user_authentication"` (or that catalogue code): the token is valid, but the sign-in behind it is weaker (`acr_values`) or older (`max_age`) than the route needs.',
  rank: 7,
  check(context) {
    const challenge = context.challenges.find((c) => c.params['error']?.toLowerCase() === STEP_UP);
    if (!challenge && context.problem?.['code'] !== STEP_UP) return undefined;
    const acrValues = challenge?.params['acr_values'] ?? stringOf(context.problem?.['acr_values']);
    const maxAge = challenge?.params['max_age'] ?? stringOf(context.problem?.['max_age']);
    const claims = context.jwt?.payload ?? {};
    const needs = [
      acrValues ? `a sign-in of level ${acrValues.split(' ').filter(Boolean).join(' or ')}` : undefined,
      maxAge ? `no older than ${maxAge} s` : undefined,
    ].filter((n): n is string => n !== undefined);
    const has = [
      typeof claims['acr'] === 'string' ? `acr ${JSON.stringify(claims['acr'])}` : undefined,
      typeof claims['auth_time'] === 'number'
        ? `signed in ${Math.round(context.localDate / 1000 - claims['auth_time'])} s ago`
        : undefined,
    ].filter((n): n is string => n !== undefined);
    const flags = [acrValues ? `acr_values=${acrValues}` : undefined, maxAge ? `max_age=${maxAge}` : undefined]
      .filter(Boolean)
      .join(' and ');
    return {
      code: STEP_UP,
      severity: 'error',
      title: `The route needs ${needs.length > 0 ? needs.join(', ') : 'a stronger or more recent sign-in'}`,
      evidence: [
        statusLine(context.primary),
        ...received(context.primary, 'www-authenticate'),
        ...(context.jwt
          ? [
              `  token acr = ${JSON.stringify(claims['acr'] ?? null)}, auth_time = ${JSON.stringify(claims['auth_time'] ?? null)}`,
            ]
          : []),
      ],
      fix: `${hint(STEP_UP)} Start the authorization-code sign-in again${flags ? ` with ${flags}` : ''} (loopbackLogin({ acrValues, maxAge }) from a StepUpRequiredError); refreshing the token will not help, it keeps the old sign-in.${has.length > 0 ? ` The token has ${has.join(', ')}.` : ''}`,
    };
  },
};

const stringOf = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
