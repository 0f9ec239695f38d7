/**
 * Roles are granted like scopes. An access token carries role R only when its granted scope holds
 * `role:R` (and the subject has R), so a token asked for with less (`scope=read` for a read-only
 * tool, a refresh narrowed to nothing) carries no role it was not granted: what a delegated token
 * may do is what the user may do AND what the grant says (RFC 6749 §3.3, RFC 9068 §2.2.3.1).
 */

const PREFIX = 'role:';

/** The scope that grants role `role` in an access token: `role:<role>`. */
export const roleScope = (role: string): string => `${PREFIX}${role}`;

/**
 * The scopes a user can grant: their own, and `role:R` for each role R they hold (a client must
 * still be registered for `role:R` to ask for it).
 */
export function grantableScopes(user: { scopes?: readonly string[]; roles?: readonly string[] }): string[] {
  return [...new Set([...(user.scopes ?? []), ...(user.roles ?? []).map(roleScope)])];
}

/** The roles of `roles` that a grant of `scope` (space-separated) carries. */
export function grantedRoles(roles: readonly string[], scope: string): string[] {
  const granted = new Set(scope.split(' '));
  return roles.filter((role) => granted.has(roleScope(role)));
}
