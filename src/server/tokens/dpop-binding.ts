/**
 * The token endpoint's side of DPoP (RFC 9449 §5): a token request's proof, verified, names the key
 * the tokens it yields are bound to. A request without a `DPoP` header gets Bearer tokens as before.
 */
import type { ClientRecord } from '../../stores/types.ts';
import type { DpopVerifier } from '../schemes/dpop-proof.ts';
import { OAuthFailure } from './oauth-failure.ts';

/** What a grant binds its tokens with: the key, and whether the refresh token is bound too. */
export interface DpopBinding {
  jkt?: string;
  bindRefresh?: boolean;
}

/** A token request's proof, verified: the binding, and the newest server nonce when the proof carried an older one. */
export interface ProvedBinding {
  binding: DpopBinding;
  /** For the answer's `DPoP-Nonce` (RFC 9449 §8.2): the nonce the client is to use next. */
  nonce?: string;
}

/**
 * The binding of a token request: {} without a proof (or with DPoP off); else the proof's key,
 * and the refresh token bound too for a public client (RFC 9449 §5, RFC 9700 §4.14.2: a confidential
 * client's refresh tokens are bound to its credentials already). A bad proof is invalid_dpop_proof,
 * a missing or stale server nonce use_dpop_nonce with the nonce to use (§8), both 400.
 */
export async function dpopBinding(
  verifier: DpopVerifier | undefined,
  request: Request,
  client: ClientRecord,
): Promise<ProvedBinding> {
  const header = verifier ? request.headers.get('dpop') : null;
  if (!verifier || header === null) return { binding: {} };
  const url = URL.parse(request.url);
  if (!url) throw new OAuthFailure('invalid_request', 'The request URL is not valid.');
  // A JWS has no comma: one in the value means several DPoP fields were sent (RFC 9449 §4.3 point 1).
  const result = await verifier.verify(header.split(','), { method: request.method, url });
  if ('error' in result) {
    const headers: Record<string, string> = result.nonce === undefined ? {} : { 'dpop-nonce': result.nonce };
    // The proof's jti found no room in the replay cache: the server is busy (RFC 6749 §4.1.2.1), 503.
    if (result.error === 'replay_cache_full') {
      headers['retry-after'] = String(Math.max(1, Math.ceil((result.retryAfterMs ?? 1000) / 1000)));
      throw new OAuthFailure('temporarily_unavailable', result.detail, 503, false, headers);
    }
    const code = result.error === 'use_dpop_nonce' ? 'use_dpop_nonce' : 'invalid_dpop_proof';
    throw new OAuthFailure(code, result.detail, 400, false, headers);
  }
  const binding = { jkt: result.jkt, bindRefresh: client.secretHash === undefined };
  return result.nonce === undefined ? { binding } : { binding, nonce: result.nonce };
}
