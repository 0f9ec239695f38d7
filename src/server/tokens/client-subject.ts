/**
 * The subject of a token a client obtained for itself (client_credentials): `client:<client_id>`.
 * A user's subject and a client's live in separate namespaces, so a client registered under a
 * user's id (`u-alice`) never becomes that user's principal: not to `requireRoles`, not to code
 * that compares `principal.id`, not in the idempotency ledger (keyed by scheme, issuer and id).
 * RFC 9068 §2.2 lets `sub` name the client when no resource owner is involved, and §5 warns that a
 * client able to choose its client_id must not be able to pose as a user by it; RFC 9700 §4.15
 * ("client impersonating resource owner") asks that the two kinds of token be told apart.
 */

const PREFIX = 'client:';

/** The `sub` of a client_credentials token for client `clientId`. */
export const clientSubject = (clientId: string): string => `${PREFIX}${clientId}`;

/** Whether a subject (a principal's id) is a client's, not a user's. */
export const isClientSubject = (subject: string): boolean => subject.startsWith(PREFIX);
