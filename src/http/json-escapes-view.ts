/** A view of a text with its JSON string escapes decoded. */
import { type View, viewBuilder } from './redaction-view.ts';

const JSON_SIMPLE: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** RFC 8259 §7: `\uXXXX` (either hex case; a surrogate pair is two of them) and the two-character escapes. */
export function decodeJsonEscapes(view: View): View | undefined {
  const s = view.text;
  if (!s.includes('\\')) return undefined;
  const out = viewBuilder(view, s.length);
  let i = 0;
  while (i < s.length) {
    if (s[i] === '\\') {
      const e = s[i + 1];
      if (e !== undefined && Object.hasOwn(JSON_SIMPLE, e)) {
        out.emit(JSON_SIMPLE[e]!, i, i + 2);
        i += 2;
        continue;
      }
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) {
        out.emit(String.fromCharCode(Number.parseInt(s.slice(i + 2, i + 6), 16)), i, i + 6);
        i += 6;
        continue;
      }
    }
    const next = s.indexOf('\\', i + 1);
    const to = next < 0 ? s.length : next;
    out.copy(i, to);
    i = to;
  }
  return out.done();
}
