import { statusLine } from '../readings/evidence.ts';
import { withAuthorization } from '../readings/fixes.ts';
import type { Rule } from '../types.ts';

/** A credential with a trailing newline, spaces or quotes in it: usually read from a file or copied from JSON. */
export const credentialWhitespace: Rule = {
  code: 'credential_whitespace',
  summary:
    'The credential carries a line break, spaces or quotes (read from a file with its newline, copied with its JSON).',
  rank: 2,
  check(context) {
    for (const value of context.authorization) {
      // "Bearer Bearer x" is a repeated scheme (scheme_format), not a stray space.
      if (/^(bearer|basic)\s+(bearer|basic)\s/i.test(value)) continue;
      const credential = value.replace(/^\S+ /, '');
      const problems: string[] = [];
      if (/[\r\n]/.test(value))
        problems.push('a line break (often the newline at the end of a file read with $(cat …))');
      if (
        /^[ \t]|[ \t]$/.test(credential.replace(/[\r\n]+$/, '')) ||
        (/ /.test(credential.trim()) && !/[=,]/.test(credential))
      )
        problems.push('spaces');
      if (/^["']|["']$/.test(credential)) problems.push('quotes (copied with the JSON around it?)');
      if (problems.length === 0) continue;
      return {
        code: 'credential_whitespace',
        severity: 'error',
        title: `The credential contains ${problems.join(' and ')}`,
        evidence: [
          // Only a scheme is quoted: a credential sent without one ("TOKEN " or "Bearer\tTOKEN") has
          // no first word that is not the secret.
          `> Authorization: ${/^([A-Za-z][\w.+-]{0,19}) +\S/.exec(value)?.[1] ?? '(no scheme)'} … (with ${problems.map((p) => p.replace(/ \(.*\)$/, '')).join(' and ')} in it)`,
          statusLine(context.primary),
        ],
        fix: 'Trim the credential: strip the trailing newline (token=$(tr -d "\\n" < token.txt)), spaces and quotes before sending it.',
      };
    }
    return undefined;
  },
  remedy(context) {
    if (!context.request || context.authorization.length !== 1) return undefined;
    const value = context.authorization[0]!;
    const scheme = /^\S+/.exec(value)?.[0] ?? '';
    const credential = value
      .slice(scheme.length)
      .replace(/[\r\n]+/g, '')
      .trim()
      .replace(/^(["'])(.*)\1$/, '$2')
      .trim();
    if (!credential || `${scheme} ${credential}` === value) return undefined;
    return {
      change: 'trimmed the credential of its line breaks, spaces and quotes',
      request: withAuthorization(context.request, [`${scheme} ${credential}`]),
    };
  },
};
