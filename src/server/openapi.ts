/**
 * The guard described in OpenAPI 3.1: each scheme's security scheme object, and the security
 * requirement of a route, which each scheme fills from the permission the route needs.
 */
import type { Permission } from './permissions.ts';
import type { Scheme } from './scheme.ts';

/** OpenAPI 3.1 `components.securitySchemes`, and the `security` requirement of a route. */
export interface OpenApiSecurity {
  securitySchemes: Record<string, Record<string, unknown>>;
  security: Array<Record<string, string[]>>;
}

/** @see https://spec.openapis.org/oas/v3.1.0#security-requirement-object */
export function openapiOf(schemes: readonly Scheme<unknown>[], permission: Permission | undefined): OpenApiSecurity {
  const requires = permission?.requires ?? { scopes: [], roles: [] };
  return {
    securitySchemes: Object.fromEntries(schemes.map((s) => [s.name, s.openapi()])),
    // Any one scheme will do; OpenAPI 3.1 lets non-OAuth schemes list roles, the default.
    security: schemes.map((s) => ({ [s.name]: [...(s.securityRequirement?.(requires) ?? requires.roles)] })),
  };
}
