/**
 * JWTs written by hand for tests that read a token without verifying it (the doctor, `token inspect`):
 * any header and claims, base64url-encoded as RFC 7519 §3 lays them out. The signature is a fixed
 * placeholder unless one is given, so no key can verify it. A test that needs a token a key does
 * verify signs one with jose (see `jwt` in guard-fixture.ts).
 */

const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');

/** "signature-placeholder", base64url-encoded. */
export const PLACEHOLDER_SIGNATURE = 'c2lnbmF0dXJlLXBsYWNlaG9sZGVy';

/** `header.payload.signature` with each JSON part base64url-encoded; `signature` is used as given. */
export function unsignedJwt(header: object, payload: object, signature = PLACEHOLDER_SIGNATURE): string {
  return `${encode(header)}.${encode(payload)}.${signature}`;
}
