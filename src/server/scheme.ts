/**
 * What every scheme is: it finds its credentials in a request, verifies them, and describes
 * its challenge. Which scheme's failure is reported depends on what the client sent (its
 * precedence), never on the order of configuration.
 */

import { equalsAsciiCaseless } from '../http/field-syntax.ts';
import type { AuthorizationParseResult, Challenge, Credentials } from '../http/index.ts';
import type { MaybePromise } from '../http/maybe-promise.ts';
import type { Permission } from './permissions.ts';
import type { Principal } from './principal.ts';
import type { Refusal } from './refusal.ts';
import type { RequestView } from './request-view.ts';

export type { RequestView } from './request-view.ts';

/** A request as the guard sees it: the request plus what the guard read from it once. */
export interface GuardRequest {
  request: RequestView;
  url: URL;
  /** The request-target as received (see RequestView.target), never parsed or normalised. */
  target: string;
  /** The authority the request names (the Host field as received, lower case; RFC 9110 §7.2). */
  authority: string;
  /** The Authorization field, parsed; undefined when absent. Two fields are a malformed one. */
  authorization: AuthorizationParseResult | undefined;
  /** The body bytes, read only when a configured scheme needs them (signatures). */
  body: Uint8Array | undefined;
  cookies: ReadonlyMap<string, string>;
  /** The client's address (AuthenticateOptions.clientAddress, else the adapter's), for login protection. */
  clientAddress: string | undefined;
  /**
   * Whether the guard answering takes this Authorization scheme (lower-case, as a scheme's
   * `authorizationSchemes`): a refusal advises only a scheme the client can use here.
   */
  accepts(authorizationScheme: string): boolean;
  /**
   * Adds a header field to the answer when the request is served (a scheme's own, such as the
   * DPoP scheme's `DPoP-Nonce`, RFC 9449 §9): the guard's decision carries it to the adapter.
   */
  answerWith(name: string, value: string): void;
}

/** What a guard tells every scheme's challenge besides the realm and the refusal. */
export interface ChallengeContext {
  /**
   * The URL of the API's protected resource metadata (RFC 9728 §5.1): a scheme that takes OAuth
   * tokens names it in its challenge as `resource_metadata`.
   */
  readonly resourceMetadata?: string;
}

export type Detection<C> =
  | { present: false }
  | { present: true; malformed: string }
  | { present: true; credentials: C };

export interface Scheme<C = unknown> {
  /** `basic`, `bearer`, `apiKey`, `session`, `signature`, or your own. */
  readonly name: string;
  /**
   * When a client sends credentials of several schemes at once, the one with the highest
   * precedence is verified and its outcome reported: signature 50, bearer 40, basic 30,
   * apiKey 20, session 10.
   */
  readonly precedence: number;
  /** Whether verify needs the request body. */
  readonly needsBody?: boolean;
  /** The auth-scheme names this scheme reads from Authorization, lower-case. */
  readonly authorizationSchemes?: readonly string[];
  detect(request: GuardRequest): Detection<C>;
  /** Synchronous where it can be (a cached token): the guard awaits only what is a promise. */
  verify(credentials: C, request: GuardRequest): MaybePromise<Principal | Refusal>;
  /**
   * The challenge for WWW-Authenticate, every parameter of it written here: `refusal` is set when
   * a request is refused (`refusal.scheme` names the scheme whose verification failed). Only a
   * challenge that names an `error` goes with a refusal that is not a 401 (RFC 6750 §3.1).
   * `context` carries what the guard adds to every challenge (its `resourceMetadata`).
   */
  challenge(realm: string, refusal?: Refusal, context?: ChallengeContext): Challenge | undefined;
  /** The OpenAPI 3.1 security scheme object. */
  openapi(): Record<string, unknown>;
  /**
   * What this scheme lists in a route's OpenAPI security requirement, from what the route's
   * permission requires. @default the roles
   */
  securityRequirement?(requires: Permission['requires']): readonly string[];
}

/** Detects credentials of one Authorization scheme; `schemeName` in lower case, matched in any case. */
export function fromAuthorization<K extends Credentials['kind']>(
  request: GuardRequest,
  schemeName: string,
  kind: K,
): Detection<Extract<Credentials, { kind: K }>> {
  const parsed = request.authorization;
  if (!parsed) return { present: false };
  if (!parsed.ok) return { present: false };
  const { credentials } = parsed;
  if (!equalsAsciiCaseless(credentials.scheme ?? '', schemeName)) return { present: false };
  if (credentials.kind !== kind)
    return { present: true, malformed: `the ${schemeName} credentials are not in the expected form` };
  return { present: true, credentials: credentials as Extract<Credentials, { kind: K }> };
}
