import type { Rule } from '../types.ts';
import { received, serverError, statusLine } from './evidence.ts';

/** Authenticated, but the token lacks a scope the route needs. */
export const insufficientScope: Rule = {
  code: 'insufficient_scope',
  summary:
    'The server answered `error="insufficient_scope"`: authenticated, but the token lacks a scope the route needs.',
  rank: 7,
  check(context) {
    if (serverError(context) !== 'insufficient_scope') return undefined;
    const needed =
      context.challenges.find((c) => c.params['scope'])?.params['scope'] ??
      (typeof context.problem?.['scope'] === 'string' ? context.problem['scope'] : undefined);
    const scope = context.jwt?.payload['scope'] ?? context.jwt?.payload['scp'];
    return {
      code: 'insufficient_scope',
      severity: 'error',
      title: needed ? `The token lacks scope ${JSON.stringify(needed)}` : 'The token lacks a scope this route needs',
      evidence: [
        statusLine(context.primary),
        ...received(context.primary, 'www-authenticate'),
        ...(scope !== undefined ? [`  token scope = ${JSON.stringify(scope)}`] : []),
      ],
      fix: `Ask for a token with ${needed ? `scope "${needed}"` : 'the needed scope'} (the scope parameter of the token request); refreshing the same grant will not add it.`,
    };
  },
};
