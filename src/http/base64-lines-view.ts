/** A view of a text with the line breaks of wrapped base64 taken out. */
import { type View, viewBuilder } from './redaction-view.ts';

const BASE64_CHAR = /[A-Za-z0-9+/_-]/;

/**
 * RFC 2045 §6.8 (MIME, 76 columns), RFC 7468 (PEM, 64), and `chunk_split`/`openssl base64`/Java's MIME
 * encoder: base64 wrapped onto lines, so a line break may fall inside a secret's base64. This view
 * drops every line break (CRLF, LF or CR) that sits between two base64 characters, whatever the
 * width; a match across one then cuts the whole wrapped stretch, line breaks included.
 */
export function joinBase64Lines(view: View): View | undefined {
  const s = view.text;
  if (!s.includes('\n') && !s.includes('\r')) return undefined;
  const out = viewBuilder(view, s.length);
  let from = 0;
  let joined = false;
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\r' && s[i] !== '\n') continue;
    const after = s[i] === '\r' && s[i + 1] === '\n' ? i + 2 : i + 1;
    if (i > 0 && BASE64_CHAR.test(s[i - 1]!) && after < s.length && BASE64_CHAR.test(s[after]!)) {
      out.copy(from, i);
      from = after;
      joined = true;
    }
    i = after - 1;
  }
  if (!joined) return undefined;
  out.copy(from, s.length);
  return out.done();
}
