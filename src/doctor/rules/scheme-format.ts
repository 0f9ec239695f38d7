import { parseAuthorization } from '../../http/index.ts';
import { probe, sent, statusLine } from '../readings/evidence.ts';
import { withAuthorization } from '../readings/fixes.ts';
import type { Rule } from '../types.ts';

/** An Authorization header in the wrong shape: `Bearer:x`, `Bearer Bearer x`, two fields, a lower-case scheme a strict server refuses. */
export const schemeFormat: Rule = {
  code: 'scheme_format',
  summary:
    'The Authorization header is mis-shaped: `Bearer:x`, `Bearer Bearer x`, two fields, no space, or a scheme spelled in a case the server refuses.',
  rank: 3,
  check(context) {
    const { authorization } = context;
    if (authorization.length === 0) return undefined;
    const evidence = [...sent(context.primary, 'authorization'), statusLine(context.primary)];
    if (authorization.length > 1) {
      return {
        code: 'scheme_format',
        severity: 'error',
        title: 'Two Authorization headers were sent',
        evidence,
        fix: 'Send exactly one Authorization header; servers refuse two (400) or read only one.',
      };
    }
    const value = authorization[0]!;
    const parsed = parseAuthorization(value);
    if (!parsed.ok && /^\S+:/.test(value)) {
      return {
        code: 'scheme_format',
        severity: 'error',
        title: 'The scheme is followed by a colon, not a space',
        evidence,
        fix: 'Write "Bearer <token>", with one space and no colon.',
      };
    }
    if (/^(bearer|basic)\s+(bearer|basic)\s/i.test(value)) {
      return {
        code: 'scheme_format',
        severity: 'error',
        title: 'The scheme name is repeated',
        evidence,
        fix: 'Send the scheme once: the token already came with "Bearer " in front, or it was added twice.',
      };
    }
    if (!parsed.ok && parsed.problem === 'missing_space_after_scheme') {
      return {
        code: 'scheme_format',
        severity: 'error',
        title: 'No space between the scheme and the credentials',
        evidence,
        fix: 'Write "Bearer <token>", with one space.',
      };
    }
    const canonical = probe(context, 'canonical-scheme')[0];
    if (
      parsed.ok &&
      canonical?.response &&
      canonical.response.status < 400 &&
      (context.primary.response?.status ?? 0) >= 400
    ) {
      return {
        code: 'scheme_format',
        severity: 'error',
        title: `This server accepts "${canonical.request.headers.find(([n]) => n.toLowerCase() === 'authorization')?.[1]?.split(' ')[0]}" but not "${parsed.credentials.scheme}"`,
        evidence: [...evidence, ...sent(canonical, 'authorization'), statusLine(canonical)],
        fix: 'Spell the scheme as registered ("Bearer", "Basic"). Schemes are case-insensitive (RFC 9110 §11.1), but this server compares them exactly.',
      };
    }
    return undefined;
  },
  // The same credential in the shape the finding names: one field (the first of two, or the one
  // when both are the same), one space after the scheme, the scheme once, spelled as registered.
  remedy(context, finding) {
    if (!context.request) return undefined;
    const [first, second] = context.authorization;
    if (first === undefined) return undefined;
    if (second !== undefined)
      return {
        change: first === second ? 'sent the Authorization header once' : 'sent only the first Authorization header',
        request: withAuthorization(context.request, [first]),
      };
    let fixed: string | undefined;
    let change = '';
    const repeated = /^(bearer|basic)\s+(?:bearer|basic)\s+(.*)$/i.exec(first);
    const colon = /^([A-Za-z][\w.+-]*):\s*(\S.*)$/.exec(first);
    if (repeated) {
      fixed = `${repeated[1]} ${repeated[2]}`;
      change = `sent the scheme once ("${repeated[1]} …")`;
    } else if (colon) {
      fixed = `${colon[1]} ${colon[2]}`;
      change = `put a space after "${colon[1]}", not a colon`;
    } else if (/^(bearer|basic)(?=\S)/i.test(first) && /No space/.test(finding.title)) {
      fixed = first.replace(/^(bearer|basic)/i, '$1 ');
      change = 'put a space after the scheme';
    } else if (/accepts/.test(finding.title)) {
      const scheme = /^\S+/.exec(first)![0];
      const registered = { basic: 'Basic', bearer: 'Bearer', digest: 'Digest' }[scheme.toLowerCase()];
      if (registered) fixed = registered + first.slice(scheme.length);
      change = `spelled the scheme "${registered}"`;
    }
    if (fixed === undefined || fixed === first) return undefined;
    return { change, request: withAuthorization(context.request, [fixed]) };
  },
};
