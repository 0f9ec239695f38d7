/** The form of a request to the token or revocation endpoint (RFC 6749 §3.2), read once and checked. */
import { readLimited } from '../request-limits.ts';
import { OAuthFailure } from './oauth-failure.ts';

// RFC 6749 Appendix A: no parameter holds a control character (client_id and secrets are
// VSCHAR, username and password UNICODECHARNOCRLF; TAB is the one control the latter allows).
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

export function refuseControls(name: string, value: string | undefined): void {
  if (value !== undefined && CONTROL.test(value))
    throw new OAuthFailure('invalid_request', `${name} holds a control character (RFC 6749 Appendix A).`);
}

export async function readForm(request: Request, maxBodyBytes: number): Promise<Map<string, string>> {
  if (request.method !== 'POST') throw new OAuthFailure('invalid_request', 'Use POST for this endpoint.', 405);
  if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new OAuthFailure(
      'invalid_request',
      'Send the parameters as application/x-www-form-urlencoded (RFC 6749 §3.2).',
    );
  }
  // Counted while it streams: a body past the limit is refused before the rest is read.
  const bytes = await readLimited(request.body, maxBodyBytes, request.headers.get('content-length'));
  const text = new TextDecoder().decode(bytes);
  const form = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) {
    // RFC 6749 §5.2: a malformed parameter is invalid_request; it never reaches a store.
    refuseControls('A parameter name', name);
    refuseControls(JSON.stringify(name.slice(0, 40)), value);
    // RFC 6749 §3.2: parameters MUST NOT be included more than once.
    if (form.has(name))
      throw new OAuthFailure(
        'invalid_request',
        `The parameter ${JSON.stringify(name.slice(0, 40))} is sent more than once.`,
      );
    form.set(name, value);
  }
  return form;
}
