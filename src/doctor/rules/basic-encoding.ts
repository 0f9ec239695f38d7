import { decodeBasic, parseAuthorization } from '../../http/index.ts';
import { statusLine } from '../readings/evidence.ts';
import type { Rule } from '../types.ts';

/** Basic credentials encoded twice, or percent-encoded before base64. */
export const basicEncoding: Rule = {
  code: 'basic_encoding',
  summary: 'Basic credentials base64-encoded twice, or percent-encoded before base64.',
  rank: 3,
  check(context) {
    if (context.authorization.length !== 1 || context.primary.response?.status !== 401) return undefined;
    const value = context.authorization[0]!;
    const parsed = parseAuthorization(value);
    let problem: string | undefined;
    if (!parsed.ok && parsed.problem === 'basic_no_colon') {
      // No colon after one decoding: is it base64 of "user:pass" again?
      let once = '';
      try {
        once = atob(value.replace(/^\S+\s+/, '').replace(/=+$/, ''));
      } catch {}
      if (once && decodeBasic(once.trim()).ok) problem = 'encoded twice: decoding once gives another base64 string';
    } else if (
      parsed.ok &&
      parsed.credentials.kind === 'basic' &&
      /%[0-9A-Fa-f]{2}/.test(parsed.credentials.username + parsed.credentials.password)
    ) {
      problem = 'percent-encoded before base64 (%XX sequences in the decoded pair)';
    }
    if (!problem) return undefined;
    return {
      code: 'basic_encoding',
      severity: 'error',
      title: `The Basic credentials are ${problem.split(':')[0]}`,
      evidence: [`> Authorization: Basic … (${problem})`, statusLine(context.primary)],
      fix: 'Encode once: base64 of the UTF-8 bytes of "user:password" (RFC 7617), with nothing URL-encoded first.',
    };
  },
};
