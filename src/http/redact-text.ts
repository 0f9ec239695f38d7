/** Excerpts of texts a server sent: every known secret scrubbed, token-like JSON members masked, cut short. */
import { SECRET_PARAMS } from './credential-params.ts';
import { maskSecret, REDACTED } from './mask.ts';
import { secretRedactor } from './secret-redactor.ts';

// In a text a server sent, a JSON member under a secret parameter's name holds one (a token
// response's access_token, an echoed password), save `code`: in an answer it is the error's code
// (RFC 9457 extension members, DRF's `code`), which the doctor reads; an authorization code comes in
// a redirect's query (RFC 6749 §4.1.2), where redactUrl masks it.
const TOKEN_MEMBER = new RegExp(
  // The names are letters, `_` and `-`: nothing to escape.
  `("(${SECRET_PARAMS.filter((p) => p !== 'code').join('|')})"\\s*:\\s*")([^"\\\\]*(?:\\\\.[^"\\\\]*)*)(")`,
  'gi',
);
const PASSWORD_MEMBER = /^(client_secret|password|secret)$/i;

/**
 * An excerpt of a text a server sent: every form of every known secret replaced, token-like
 * JSON members masked (a password or secret member wholly), then cut to `maxLength`.
 */
export function redactText(text: string, secrets: Iterable<string> = [], maxLength = 300): string {
  let out = secretRedactor(secrets)(text);
  out = out.replace(TOKEN_MEMBER, (_m, open: string, member: string, value: string, close: string) => {
    const shown = PASSWORD_MEMBER.test(member) ? REDACTED : maskSecret(value);
    return open + shown + close;
  });
  return out.length > maxLength ? `${out.slice(0, maxLength)}…` : out;
}
