/**
 * Which scheme a request's credentials are for: the one of highest precedence that finds its
 * credentials (never the order of configuration), and the refusal when the field cannot be read
 * or no scheme finds any.
 */
import type { AuthorizationParseResult } from '../http/index.ts';
import type { GuardConfig } from './guard-options.ts';
import type { Refusal } from './refusal.ts';
import type { GuardRequest, Scheme } from './scheme.ts';

/**
 * The scheme whose credentials the request carries, the highest precedence first; a refusal when
 * a scheme finds its credentials malformed; undefined when none finds any.
 */
export function chooseScheme(
  schemes: readonly Scheme<unknown>[],
  guardRequest: GuardRequest,
): { scheme: Scheme<unknown>; credentials: unknown } | Refusal | undefined {
  let chosen: { scheme: Scheme<unknown>; credentials: unknown } | undefined;
  for (const scheme of schemes) {
    const detection = scheme.detect(guardRequest);
    if (!detection.present) continue;
    if ('malformed' in detection)
      return { reason: 'credentials_malformed', scheme: scheme.name, detail: `${capitalize(detection.malformed)}.` };
    if (!chosen || scheme.precedence > chosen.scheme.precedence)
      chosen = { scheme, credentials: detection.credentials };
  }
  return chosen;
}

/** The refusal of a request in which no scheme found credentials. */
export function missing(config: GuardConfig, authorization: AuthorizationParseResult | undefined): Refusal {
  if (authorization?.ok && !config.authorizationSchemes.has((authorization.credentials.scheme ?? '').toLowerCase())) {
    // The scheme the client sent is not echoed: a credential sent without a scheme would sit there.
    return {
      reason: 'scheme_unsupported',
      detail: `This endpoint does not accept the authentication scheme sent; use ${config.accepted}.`,
    };
  }
  return { reason: 'credentials_missing', detail: `Send credentials: ${config.accepted}.` };
}

/** The refusal of an Authorization field that cannot be read (400). */
export function malformedAuthorization(message: string): Refusal {
  return { reason: 'credentials_malformed', detail: `${capitalize(message)}.` };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
