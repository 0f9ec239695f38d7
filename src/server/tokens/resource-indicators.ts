/**
 * Resource indicators (RFC 8707): the `resource` a client names on the authorize and token requests
 * says which API the access token is for, and becomes its `aud`. Only the service's own audience and
 * its configured resources are answered; anything else is invalid_target (RFC 8707 §2).
 */
import { OAuthFailure } from './oauth-failure.ts';

/** The resources a service issues tokens for: its default audience and its configured resources. */
export interface ResourceServerList {
  readonly audience: string;
  readonly resources: readonly string[];
}

/**
 * The `resource` values of a request, each checked: an absolute URI without a fragment (RFC 8707
 * §2) that the service issues tokens for, compared by exact string. Duplicates count once.
 */
export function requestedResources(values: readonly string[], service: ResourceServerList): string[] {
  const known = [service.audience, ...service.resources];
  for (const value of values) {
    if (!URL.canParse(value) || value.includes('#'))
      throw new OAuthFailure(
        'invalid_target',
        'resource must be an absolute URI without a fragment (RFC 8707 §2), e.g. https://api.example.com.',
      );
    if (!known.includes(value))
      throw new OAuthFailure(
        'invalid_target',
        `This server issues no tokens for resource ${JSON.stringify(value.slice(0, 200))}; ask for one of the resources it serves.`,
      );
  }
  return [...new Set(values)];
}

/** The `aud` of a token for these resources: one names it, several are a list, none is the default. */
export function audienceOf(resources: readonly string[]): string | string[] | undefined {
  if (resources.length === 0) return undefined;
  return resources.length === 1 ? resources[0] : [...resources];
}
