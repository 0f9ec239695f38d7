/**
 * The token endpoint's authorization_code grant (RFC 6749 §4.1.3, RFC 7636 §4.5–4.6): a code is
 * redeemed once, by the client it was issued to, with the redirect_uri of its request and the
 * verifier of its PKCE challenge, and with a proof of its DPoP key when it was bound to one (RFC
 * 9449 §10). A code presented again revokes what its first redemption issued.
 */
import type { AuthorizationCodeRecord, AuthorizationCodeStore, ClientRecord } from '../../stores/types.ts';
import { codeHash, isCodeVerifier, verifierMatches } from './authorization-code.ts';
import type { DpopBinding } from './dpop-binding.ts';
import { OAuthFailure } from './oauth-failure.ts';
import { oauthJson } from './oauth-json.ts';
import { signInOf } from './refresh-tokens.ts';
import { audienceOf, requestedResources } from './resource-indicators.ts';
import type { TokenService } from './token-service.ts';

const REFUSED = 'The authorization code is unknown, expired or already used; start the authorization again.';

/** Answers an authorization_code token request from an authenticated `client`. */
export async function authorizationCodeGrant(
  service: TokenService,
  codes: AuthorizationCodeStore,
  client: ClientRecord,
  form: Map<string, string>,
  dpop: DpopBinding = {},
): Promise<Response> {
  const code = form.get('code');
  if (!code) throw new OAuthFailure('invalid_request', 'code is missing.');
  const verifier = form.get('code_verifier');
  // RFC 7636 §4.5: the verifier is required: this server issues no code without a challenge.
  if (verifier === undefined)
    throw new OAuthFailure(
      'invalid_request',
      'code_verifier is missing: send the PKCE verifier of this code (RFC 7636 §4.5).',
    );
  if (!isCodeVerifier(verifier))
    throw new OAuthFailure(
      'invalid_request',
      'code_verifier must be 43 to 128 characters of A-Z, a-z, 0-9 and -._~ (RFC 7636 §4.1).',
    );
  const now = Date.now();
  const redeemed = await codes.redeemAuthorizationCode(codeHash(code), now);
  if (!redeemed) throw new OAuthFailure('invalid_grant', REFUSED);
  const { first, record } = redeemed;
  if (!first) {
    await revokeFirstRedemption(service, record);
    throw new OAuthFailure('invalid_grant', REFUSED);
  }
  if (record.expiresAt <= now) throw new OAuthFailure('invalid_grant', REFUSED);
  // RFC 6749 §4.1.3: the code was issued to the authenticated client, for this exact redirect_uri.
  if (record.clientId !== client.clientId)
    throw new OAuthFailure('invalid_grant', 'The authorization code was issued to another client.');
  if (form.get('redirect_uri') !== record.redirectUri)
    throw new OAuthFailure(
      'invalid_grant',
      'redirect_uri must be the one of the authorization request, exactly (RFC 6749 §4.1.3).',
    );
  if (!verifierMatches(verifier, record.codeChallenge))
    throw new OAuthFailure(
      'invalid_grant',
      'code_verifier does not match the code_challenge of the authorization request (RFC 7636 §4.6).',
    );
  checkKeyBinding(record, dpop);
  return oauthJson(
    200,
    await service.issue(
      { id: record.subject, roles: record.roles, scopes: record.scope.split(' ').filter(Boolean) },
      {
        clientId: client.clientId,
        scope: record.scope,
        familyId: record.familyId,
        jti: record.accessTokenJti,
        // The refresh token keeps all the code's resources, even when this token narrows to one.
        resources: record.resources,
        ...signInOf(record),
        ...audience(service, record, form.get('resource')),
        ...dpop,
      },
    ),
  );
}

/**
 * RFC 9449 §10: a code asked for with `dpop_jkt` is redeemed only with a proof of that key (the
 * request's proof was verified before the grant ran); otherwise the request MUST be rejected. The
 * RFC names no error code: invalid_grant, as for a code that does not match its request (RFC 6749
 * §5.2), and as oidc-provider answers.
 */
function checkKeyBinding(record: AuthorizationCodeRecord, dpop: DpopBinding): void {
  if (record.dpopJkt === undefined) return;
  if (dpop.jkt === undefined)
    throw new OAuthFailure(
      'invalid_grant',
      'The authorization code is bound to a DPoP key (dpop_jkt): send a DPoP proof signed with that key (RFC 9449 §10).',
    );
  if (dpop.jkt !== record.dpopJkt)
    throw new OAuthFailure(
      'invalid_grant',
      "The authorization code is bound to another DPoP key than the proof's (dpop_jkt, RFC 9449 §10): sign the proof with the key of the authorization request.",
    );
}

/**
 * The token's audience: the code's resources, or the one of them the token request names
 * (RFC 8707 §2.2: a token request may narrow to one of the resources the grant allowed).
 */
function audience(
  service: TokenService,
  record: AuthorizationCodeRecord,
  asked: string | undefined,
): { audience?: string | string[] } {
  if (asked === undefined) {
    const aud = audienceOf(record.resources);
    return aud === undefined ? {} : { audience: aud };
  }
  const [resource] = requestedResources([asked], service);
  const allowed = record.resources.length > 0 ? record.resources : [service.audience];
  if (!allowed.includes(resource!))
    throw new OAuthFailure(
      'invalid_target',
      'resource must be one of the resources of the authorization request (RFC 8707 §2.2).',
    );
  return { audience: resource! };
}

/**
 * RFC 6749 §4.1.2: a code used twice SHOULD revoke the tokens it issued; RFC 9700 §4.2.4. The
 * family and the jti were fixed at issue, so the first redemption's refresh tokens and access
 * token end here, whoever presents the copy.
 */
async function revokeFirstRedemption(service: TokenService, record: AuthorizationCodeRecord): Promise<void> {
  // The first redemption came before the code expired: its access token was signed by expiresAt.
  await service.revokeGrant(record.familyId, record.accessTokenJti, record.expiresAt);
}
