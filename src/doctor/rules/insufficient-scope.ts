import { received, statusLine, wordsLine } from '../readings/evidence.ts';
import { hint } from '../readings/fixes.ts';
import { quoted, scopeRefusal } from '../readings/scope-refusal.ts';
import type { Rule } from '../types.ts';

/** Authenticated, but the token lacks a scope the route needs. */
export const insufficientScope: Rule = {
  code: 'insufficient_scope',
  summary:
    'Authenticated, but the token lacks a scope the route needs: `error="insufficient_scope"`, or a 401/403 challenge naming `scope=` for a token that was read (scopes from its `scope`, `scp`, `scopes`, `permissions` or `roles` claim).',
  rank: 7,
  check(context) {
    const refusal = scopeRefusal(context);
    if (!refusal) return undefined;
    const { needed, granted, claims, missing } = refusal;
    const lacking = missing.length > 0 ? missing : needed;
    const title =
      lacking.length === 0
        ? 'The token lacks a scope this route needs'
        : `The token lacks scope${lacking.length > 1 ? 's' : ''} ${quoted(lacking)}`;
    const facts = [
      needed.length > 0 ? `The route needs ${quoted(needed)}` : undefined,
      granted === undefined
        ? 'the token cannot be read here to see what it has'
        : claims.length === 0
          ? 'the token carries no scope claim'
          : `the token has ${granted.length > 0 ? quoted(granted) : 'none'}`,
      missing.length > 0 && granted !== undefined ? `missing ${quoted(missing)}` : undefined,
    ].filter((fact): fact is string => fact !== undefined);
    const said = facts.join('; ');
    return {
      code: 'insufficient_scope',
      severity: 'error',
      title,
      evidence: [
        statusLine(context.primary),
        ...received(context.primary, 'www-authenticate'),
        ...wordsLine(context.primary),
        ...claims.map(([claim, values]) => `  token ${claim} = ${JSON.stringify(values)}`),
      ],
      fix: `${hint('insufficient_scope')} ${said.charAt(0).toUpperCase()}${said.slice(1)}.`,
    };
  },
};
