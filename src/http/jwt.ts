/**
 * Reading a JWT without verifying it: for what a holder may look at in its own token (the client's
 * `exp`, the doctor's diagnosis). Nothing read here is to be trusted: who issued the token and for
 * whom is known only once a server has verified its signature.
 */

/** The JOSE header and the claims of a compact JWS. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

// Far beyond any real header (an alg, a kid, an x5c chain of a few certificates); a bound on the
// work a pasted or received value can cause.
const MAX_HEADER = 8192; // characters of base64url

/**
 * Header and claims of a compact JWS (RFC 7515 §7.1: three base64url segments; RFC 7519 §7.2:
 * header and claims are JSON objects, the claims UTF-8), or undefined when the value is not one.
 * The signature is not checked, nor even decoded.
 */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const segments = token.split('.');
  if (segments.length !== 3 || segments[0]!.length === 0 || segments[0]!.length > MAX_HEADER) return undefined;
  const header = jsonObject(segments[0]!);
  const payload = jsonObject(segments[1]!);
  return header && payload ? { header, payload } : undefined;
}

/** A base64url segment that decodes to a JSON object, or undefined. */
function jsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    const bytes = Uint8Array.from(atob(segment.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const json = JSON.parse(new TextDecoder().decode(bytes));
    return json && typeof json === 'object' && !Array.isArray(json) ? json : undefined;
  } catch {
    return undefined;
  }
}
