/**
 * Refresh tokens: opaque, stored hashed, rotated on every use, each rotation taking the subject as
 * it is now; reuse detection that revokes the whole family (RFC 9700 §4.14.2), with a short grace
 * window in which a repeat gets the same successor back.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { MaybePromise } from '../../http/maybe-promise.ts';
import type { Identity } from '../../stores/lookups.ts';
import type { RefreshTokenRecord } from '../../stores/types.ts';
import { type AccessTokenClaims, type TokenPair, tokenPair } from './access-token.ts';
import { openSuccessor, sealSuccessor } from './refresh-successor.ts';
import { audienceOf } from './resource-indicators.ts';
import { TokenGrantError } from './token-grant-error.ts';
import type { TokenServiceConfig } from './token-service-options.ts';

export interface RefreshOptions {
  clientId: string;
  scope?: string;
  /**
   * The resource (RFC 8707 §2.2) the new access token is for: one of the resources of the refresh
   * token's grant (for a grant without any, the service's audience); any other is refused with
   * invalid_target. @default the grant's resources, as the first access token had them
   */
  resource?: string;
  currentIdentity: (subject: string) => MaybePromise<Identity | undefined>;
  /**
   * The thumbprint of the key of the request's verified DPoP proof (RFC 9449 §5): the new access
   * token is bound to it; a bound refresh token is refused without it or with another.
   */
  jkt?: string;
}

/** How a refresh token is found in the store: it is kept only as this digest. */
export const refreshTokenHash = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A refresh token bound to a DPoP key (RFC 9449 §5, RFC 9700 §4.14.2) ends in `.<jkt>`: the stored
 * hash covers the whole token, so the binding cannot be edited without the token becoming unknown,
 * and revocation and introspection find it as any other.
 */
const newRefreshToken = (jkt?: string) => `rt_${randomBytes(32).toString('base64url')}${jkt ? `.${jkt}` : ''}`;

/** The key a refresh token is bound to, if any. */
const boundKeyOf = (token: string): string | undefined => token.split('.')[1];

/** RFC 9449 §5: a bound refresh token is used only with a proof of its key. */
function checkBinding(token: string, jkt: string | undefined): void {
  const bound = boundKeyOf(token);
  if (bound === undefined) return;
  if (jkt === undefined)
    throw new TokenGrantError(
      'invalid_dpop_proof',
      'This refresh token is bound to a DPoP key: send a DPoP proof signed with that key (RFC 9449 §5).',
    );
  if (jkt !== bound)
    throw new TokenGrantError('invalid_grant', 'The refresh token is bound to another DPoP key than the proof.');
}

function refreshRecord(
  config: TokenServiceConfig,
  token: string,
  familyId: string,
  subject: Identity,
  clientId: string,
  scope: string,
  resources: string[] | undefined,
  now: number,
  signIn: { acr?: string; authTime?: number },
): RefreshTokenRecord {
  const record: RefreshTokenRecord = {
    hash: refreshTokenHash(token),
    familyId,
    subject: subject.id,
    clientId,
    scope,
    roles: [...(subject.roles ?? [])],
    createdAt: now,
    expiresAt: now + config.refreshTtl * 1000,
  };
  if (resources !== undefined) record.resources = [...resources];
  if (signIn.acr !== undefined) record.acr = signIn.acr;
  if (signIn.authTime !== undefined) record.authTime = signIn.authTime;
  return record;
}

/** What a new pair is issued with; `familyId` and `jti` fixed ahead by an authorization code. */
export interface IssuedPairOptions extends AccessTokenClaims {
  clientId: string;
  scope: string;
  refresh?: boolean;
  /** The refresh token's family. @default a new random id */
  familyId?: string;
  /** Bind the refresh token to `jkt` too (a public client's, RFC 9449 §5). @default false */
  bindRefresh?: boolean;
  /**
   * The resource indicators (RFC 8707 §2) of the grant, which the refresh token keeps: a refresh
   * may narrow to one of them, never go beyond (RFC 8707 §2.2). @default those of `audience`
   */
  resources?: readonly string[];
}

/** A new pair; with `refresh`, its refresh token starts a new family. */
export async function issuedPair(
  config: TokenServiceConfig,
  subject: Identity,
  { clientId, scope, refresh = true, familyId, resources, bindRefresh = false, ...fixed }: IssuedPairOptions,
): Promise<TokenPair> {
  const now = Date.now();
  let refreshToken: string | undefined;
  if (refresh) {
    refreshToken = newRefreshToken(bindRefresh ? fixed.jkt : undefined);
    const granted = [...(resources ?? (fixed.audience === undefined ? [] : [fixed.audience].flat()))];
    await config.refreshTokens.insertRefreshToken(
      refreshRecord(config, refreshToken, familyId ?? randomUUID(), subject, clientId, scope, granted, now, fixed),
    );
  }
  return tokenPair(config, subject, clientId, scope, refreshToken, fixed);
}

// RFC 9700 §4.14.2: a rotated token came back outside what a replay allows; someone holds a copy.
async function reused(
  config: TokenServiceConfig,
  familyId: string,
  now: number,
  why = 'The refresh token was already used; its whole family is revoked. Sign in again.',
): Promise<never> {
  await config.refreshTokens.revokeFamily(familyId, now);
  throw new TokenGrantError('invalid_grant', why);
}

/**
 * The successor a repeat gets back: the rotation's own, only inside the grace window and only
 * while that successor is the family's live token (a parent of an older generation is a copy).
 */
async function replayed(
  config: TokenServiceConfig,
  token: string,
  record: RefreshTokenRecord,
  rotation: { rotatedAt: number; sealedSuccessor?: string | undefined },
  now: number,
): Promise<string> {
  const { grace } = config;
  // The other rotation may carry a later timestamp than this request's own (instances read their
  // clocks before racing to the database), so only grace 0 makes every repeat too late.
  if (grace === 0 || now - rotation.rotatedAt >= grace || rotation.sealedSuccessor === undefined)
    return reused(config, record.familyId, now);
  const successor = openSuccessor(rotation.sealedSuccessor, token, record.hash);
  const live = successor && (await config.refreshTokens.findRefreshToken(refreshTokenHash(successor)));
  if (!successor || !live || live.rotatedAt !== undefined || live.familyRevoked)
    return reused(config, record.familyId, now);
  return successor;
}

/**
 * The new access token's claims for `resource` (RFC 8707 §2.2: a refresh names a resource the grant
 * authorized, or none for the grant's own): undefined when the grant was not for it.
 */
function refreshedAudience(
  config: TokenServiceConfig,
  record: RefreshTokenRecord,
  resource: string | undefined,
): AccessTokenClaims | undefined {
  // Absent (a token stored before resources were kept) or []: a grant of the default audience.
  const granted = record.resources ?? [];
  if (resource === undefined) {
    const audience = audienceOf(granted);
    return audience === undefined ? {} : { audience };
  }
  const allowed = granted.length > 0 ? granted : [config.audience];
  return allowed.includes(resource) ? { audience: resource } : undefined;
}

/**
 * What a refresh asks for, checked against the grant: unexpired, within the granted scope, for a
 * resource the grant was for. The scopes asked and the access token's claims; else it throws.
 */
async function withinGrant(
  config: TokenServiceConfig,
  record: RefreshTokenRecord,
  scope: string | undefined,
  resource: string | undefined,
  now: number,
): Promise<{ asked: string[]; fixed: AccessTokenClaims }> {
  // A rotated token may come back only as a replay: inside the window (replayed), unexpired and
  // within the granted scope and resources. Anything else is a copy (RFC 9700 §4.14.2), whichever
  // of these checks refuses it: checked before the reuse check alone, a thief could probe a stolen
  // old token freely.
  const rotated = record.rotatedAt !== undefined;
  if (record.expiresAt <= now) {
    if (rotated) return reused(config, record.familyId, now);
    throw new TokenGrantError('invalid_grant', 'The refresh token expired; sign in again.');
  }
  const granted = record.scope.split(' ').filter(Boolean);
  const asked = scope === undefined ? granted : scope.split(' ').filter(Boolean);
  if (asked.some((s) => !granted.includes(s))) {
    if (rotated) return reused(config, record.familyId, now);
    throw new TokenGrantError('invalid_scope', 'A refresh cannot widen the scope granted.');
  }
  // RFC 8707 §2.2 (and RFC 9700 §4.14: a refresh token yields no more than its grant): the audience
  // narrows, never widens. Refused before the rotation, so a client that named the wrong resource
  // keeps its token; not counted as misuse (its holder may only be misconfigured), unless the token
  // was rotated already: then it is a copy, as above.
  const fixed = refreshedAudience(config, record, resource);
  if (fixed === undefined) {
    if (rotated) return reused(config, record.familyId, now);
    throw new TokenGrantError(
      'invalid_target',
      'resource must be one of the resources this refresh token was granted for (RFC 8707 §2.2); a refresh cannot widen the audience.',
    );
  }
  return { asked, fixed };
}

/** Exchanges a refresh token for a new pair, rotating it out (TokenService.refresh). */
export async function refreshedPair(
  config: TokenServiceConfig,
  token: string,
  { clientId, scope, currentIdentity, resource, jkt }: RefreshOptions,
): Promise<TokenPair> {
  const { refreshTokens } = config;
  const now = Date.now();
  const record =
    typeof token === 'string' && token.startsWith('rt_')
      ? await refreshTokens.findRefreshToken(refreshTokenHash(token))
      : undefined;
  if (!record) throw new TokenGrantError('invalid_grant', 'The refresh token is not known.');
  if (record.familyRevoked) throw new TokenGrantError('invalid_grant', 'The refresh token was revoked; sign in again.');
  // Refused before anything changes: a copy without its key can neither refresh nor end the family.
  checkBinding(token, jkt);
  // RFC 6749 §10.4: a refresh token is bound to its client, and only that client ever holds it.
  // Another client presenting it (rotated or not) means it leaked: the family ends, as for reuse.
  if (record.clientId !== clientId)
    return reused(
      config,
      record.familyId,
      now,
      'The refresh token was issued to another client; its whole family is revoked.',
    );
  const { asked, fixed: within } = await withinGrant(config, record, scope, resource, now);
  // RFC 9470 §3: a refresh is no new sign-in; its tokens keep the level and time of the original.
  const fixed: AccessTokenClaims = { ...within, ...signInOf(record) };

  // The subject as it is now, not as it was at sign-in: a removed account refreshes nothing
  // (RFC 6749 §5.2 invalid_grant), a demoted one gets its new roles and loses what it lost.
  const current = await currentIdentity(record.subject);
  if (!current || current.id !== record.subject) {
    await refreshTokens.revokeFamily(record.familyId, now);
    throw new TokenGrantError('invalid_grant', 'The account the refresh token was issued to is gone; sign in again.');
  }
  const subject: Identity = { id: record.subject, roles: [...(current.roles ?? [])] };
  const still = new Set(current.scopes ?? []);
  // The family keeps the scope granted (RFC 6749 §6); each access token gets what is left of it.
  const effective = asked.filter((s) => still.has(s)).join(' ');

  let successor: string;
  if (record.rotatedAt !== undefined) {
    successor = await replayed(
      config,
      token,
      record,
      { rotatedAt: record.rotatedAt, sealedSuccessor: record.sealedSuccessor },
      now,
    );
  } else {
    const candidate = newRefreshToken(boundKeyOf(token));
    const rotation = await refreshTokens.rotate(
      record.hash,
      refreshRecord(config, candidate, record.familyId, subject, clientId, record.scope, record.resources, now, fixed),
      sealSuccessor(candidate, token, record.hash),
      now,
    );
    successor = rotation.first ? candidate : await replayed(config, token, record, rotation, now);
  }
  // A repeat gets the same refresh token and an access token of its own, signed now: the
  // access token is short-lived and stored nowhere, so replaying it would mean keeping one.
  return tokenPair(config, subject, clientId, effective, successor, jkt === undefined ? fixed : { ...fixed, jkt });
}

/** How and when the user signed in, as a grant's record keeps it. */
export function signInOf(record: { acr?: string; authTime?: number }): { acr?: string; authTime?: number } {
  return {
    ...(record.acr !== undefined ? { acr: record.acr } : {}),
    ...(record.authTime !== undefined ? { authTime: record.authTime } : {}),
  };
}
