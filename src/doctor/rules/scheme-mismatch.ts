import { parseAuthorization } from '../../http/index.ts';
import { declaredLine, received, sent, statusLine, statusOf } from '../readings/evidence.ts';
import { offeredSchemes, withAuthorization } from '../readings/fixes.ts';
import type { ApiScheme, Context, Rule } from '../types.ts';

/** Credentials in a scheme the challenge (or, without one, the API's description) does not offer. */
export const schemeMismatch: Rule = {
  code: 'scheme_mismatch',
  summary:
    "Credentials in a scheme the server's challenge does not offer (without a challenge: that its OpenAPI description does not declare).",
  rank: 20,
  check(context) {
    if (context.authorization.length !== 1) return undefined;
    const parsed = parseAuthorization(context.authorization[0]);
    if (!parsed.ok) return undefined;
    const scheme = (parsed.credentials.scheme ?? '').toLowerCase();
    const status = statusOf(context);
    // `Authorization: $TOKEN`: the one word parses as a scheme, but it is the credential; named so,
    // never quoted as a scheme.
    const lone = loneCredential(context.authorization[0]!, context);
    if (context.challenges.length > 0) {
      if (status !== 401) return undefined;
      const offered = context.challenges.map((c) => c.scheme.toLowerCase());
      if (offered.includes(scheme)) return undefined;
      return {
        code: 'scheme_mismatch',
        severity: 'error',
        title: lone
          ? 'The credential was sent without a scheme (Authorization: TOKEN, not Authorization: Bearer TOKEN)'
          : `The server does not offer the ${parsed.credentials.scheme} scheme`,
        evidence: [
          ...sent(context.primary, 'authorization'),
          statusLine(context.primary),
          ...received(context.primary, 'www-authenticate'),
        ],
        fix: `Authenticate in a scheme the server offers: ${offeredSchemes(context.challenges)}.`,
      };
    }
    // No challenge (FastAPI answers a missing API key with a bare 403): the description says instead.
    const description = context.apiDescription;
    if ((status !== 401 && status !== 403) || !description) return undefined;
    if (description.schemes.some((s) => takesAuthorization(s, scheme))) return undefined;
    return {
      code: 'scheme_mismatch',
      severity: 'error',
      title: lone
        ? 'The credential was sent without a scheme (Authorization: TOKEN, not Authorization: Bearer TOKEN)'
        : `The API's description does not declare the ${parsed.credentials.scheme} scheme`,
      evidence: [
        ...sent(context.primary, 'authorization'),
        statusLine(context.primary),
        '< (no WWW-Authenticate header)',
        declaredLine(description),
      ],
      fix: `Authenticate in a scheme the server offers: ${offeredSchemes([], description)}.`,
    };
  },
  // A token sent under another token scheme (Bearer where the server wants Token, or the reverse) is
  // sent again under the one scheme offered, or in the one API-key header the description declares.
  // A password pair is never turned into a token, nor the reverse.
  remedy(context) {
    if (!context.request || context.authorization.length !== 1) return undefined;
    const value = context.authorization[0]!;
    const match = /^(\S+) +(\S+)$/.exec(value);
    const lone = loneCredential(value, context);
    if (!lone && (!match || /^(basic|digest)$/i.test(match[1]!))) return undefined;
    const token = lone ? value.trim() : match![2]!;
    if (context.challenges.length === 0) {
      const forms = new Map<string, ApiScheme>();
      for (const s of context.apiDescription?.schemes ?? []) {
        if (s.type === 'apiKey' && s.in === 'header') forms.set(s.parameter.toLowerCase(), s);
        else if (s.type !== 'apiKey' && (s.type !== 'http' || s.scheme.toLowerCase() === 'bearer'))
          forms.set('authorization', s);
      }
      const only = forms.size === 1 ? [...forms.values()][0] : undefined;
      if (!only) return undefined;
      if (only.type !== 'apiKey')
        return {
          change: 'sent the same credential in the Bearer scheme',
          request: withAuthorization(context.request, [`Bearer ${token}`]),
        };
      const request = withAuthorization(context.request, []);
      return {
        change: `sent the same credential in the ${only.parameter} header`,
        request: { ...request, headers: [...request.headers, [only.parameter, token]] },
      };
    }
    const tokenSchemes = context.challenges.filter((c) => !/^(basic|digest|negotiate|ntlm)$/i.test(c.scheme));
    const schemes = [...new Set(tokenSchemes.map((c) => c.scheme))];
    // RFC 9449 §7.1: DPoP needs a proof signed with the token's key, which the doctor does not hold;
    // the token sent as DPoP without one is refused for certain, so that fix is named, not tried.
    if (schemes.length !== 1 || schemes[0]!.toLowerCase() === 'dpop') return undefined;
    return {
      change: `sent the same credential in the ${schemes[0]} scheme`,
      request: withAuthorization(context.request, [`${schemes[0]} ${token}`]),
    };
  },
};

/** Scheme names in the HTTP Authentication Scheme Registry and in common use without it (DRF's Token). */
const KNOWN_SCHEMES =
  /^(basic|bearer|digest|hoba|mutual|negotiate|ntlm|token|apikey|api-key|dpop|aws4-hmac-sha256|vapid|scram-sha-1|scram-sha-256|privatetoken|concealed|gnap)$/i;

/** A value of one word that is not a scheme name the server or the registry knows: a credential sent alone. */
function loneCredential(value: string, context: Context): boolean {
  const word = value.trim();
  if (!word || /\s/.test(word) || KNOWN_SCHEMES.test(word)) return false;
  return !context.challenges.some((c) => c.scheme.toLowerCase() === word.toLowerCase());
}

/** Whether a documented scheme is sent as `Authorization: <scheme> …`. */
function takesAuthorization(documented: ApiScheme, scheme: string): boolean {
  switch (documented.type) {
    case 'http':
      return documented.scheme.toLowerCase() === scheme;
    case 'oauth2':
    case 'openIdConnect':
      return scheme === 'bearer';
    case 'apiKey':
      return documented.in === 'header' && documented.parameter.toLowerCase() === 'authorization';
  }
}
