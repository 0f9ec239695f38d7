/**
 * `secretRedactor(secrets)`: given the secrets known at that point (the credentials sent, a client
 * secret), scrubs every form of them from a text, escaped however the server escaped it.
 */
import { joinBase64Lines } from './base64-lines-view.ts';
import { decodeJsonEscapes } from './json-escapes-view.ts';
import { REDACTED } from './mask.ts';
import { decodePercent } from './percent-escapes-view.ts';
import type { View } from './redaction-view.ts';
import { secretForms } from './secret-forms.ts';

/**
 * A function that replaces every form of every given secret in a text with `…`.
 *
 * Servers escape what they echo: JSON encoders write any character as `\uXXXX` (Python: non-ASCII;
 * Go: `<>&`; .NET: `+` and upper-case hex; some: everything), `/` as `\/` (PHP), and percent-encoders
 * escape `*`, `~` or any letter. Listing every escaped spelling of a secret is exponential in its
 * length (each character escaped or not), so the redactor reads the text the way its reader would:
 * it matches the secrets' forms against the text as written and against decoded views of it (JSON
 * string escapes, percent-escapes, and those applied twice, as when a JSON text is quoted inside
 * another; and each of those with the line breaks of wrapped base64 taken out), each view keeping,
 * per character, the span of the text it came from. A match in any view replaces its whole span of
 * the original text, escapes and line breaks included, so the output stays the text the server
 * wrote with the secret cut out. At most a fixed number of views, each built in one
 * pass: linear in the text.
 */
export function secretRedactor(secrets: Iterable<string>): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) for (const form of secretForms(secret)) forms.add(form);
  if (forms.size === 0) return (text) => text;
  // Longest first, so a whole Basic pair goes before the password inside it.
  const pattern = new RegExp(
    [...forms]
      .sort((a, b) => b.length - a.length)
      .map((f) => f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
      .join('|'),
    'g',
  );
  return (text) => {
    if (typeof text !== 'string') return text;
    const spans: Array<[number, number]> = [];
    for (const view of views(text)) {
      pattern.lastIndex = 0;
      for (let m = pattern.exec(view.text); m !== null; m = pattern.exec(view.text)) {
        const last = m.index + m[0].length - 1;
        spans.push(view.start ? [view.start[m.index]!, view.end![last]!] : [m.index, last + 1]);
      }
    }
    if (spans.length === 0) return text;
    spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    let out = '';
    let at = 0;
    for (const [from, to] of spans) {
      if (to <= at) continue;
      if (from >= at) out += `${text.slice(at, from)}${REDACTED}`;
      at = to;
    }
    return out + text.slice(at);
  };
}

const VIEW_DEPTH = 3; // decodings stacked: a percent-encoded JSON text quoted inside a JSON string

/** The text as written and every distinct decoding of it, up to VIEW_DEPTH decoders deep. */
function views(text: string): View[] {
  const all: View[] = [{ text }];
  const seen = new Set([text]);
  let layer: View[] = all.slice();
  for (let depth = 0; depth < VIEW_DEPTH && layer.length > 0; depth++) {
    const next: View[] = [];
    for (const view of layer) {
      for (const decoded of [decodeJsonEscapes(view), decodePercent(view)]) {
        if (decoded === undefined || seen.has(decoded.text)) continue;
        seen.add(decoded.text);
        next.push(decoded);
      }
    }
    all.push(...next);
    layer = next;
  }
  // Line breaks inside base64 go last, from every view: a JSON-escaped `\n` is a line break only
  // once the JSON view has decoded it.
  for (const view of all.slice()) {
    const joined = joinBase64Lines(view);
    if (joined === undefined || seen.has(joined.text)) continue;
    seen.add(joined.text);
    all.push(joined);
  }
  return all;
}
