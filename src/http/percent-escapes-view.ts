/** A view of a text with its percent-escapes decoded. */
import { type View, viewBuilder } from './redaction-view.ts';

/** RFC 3986 §2.1: `%XX` of any byte, either hex case; a UTF-8 sequence of them is one character. */
export function decodePercent(view: View): View | undefined {
  const s = view.text;
  if (!s.includes('%')) return undefined;
  const byteAt = (i: number) =>
    s[i] === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3)) ? Number.parseInt(s.slice(i + 1, i + 3), 16) : -1;
  const out = viewBuilder(view, s.length);
  let i = 0;
  while (i < s.length) {
    const lead = byteAt(i);
    if (lead >= 0) {
      const length =
        lead < 0x80
          ? 1
          : lead >= 0xc2 && lead <= 0xdf
            ? 2
            : lead >= 0xe0 && lead <= 0xef
              ? 3
              : lead >= 0xf0 && lead <= 0xf4
                ? 4
                : 0;
      let point = length === 1 ? lead : lead & (0xff >> (length + 1));
      let k = 1;
      for (; k < length; k++) {
        const next = byteAt(i + 3 * k);
        if (next < 0x80 || next > 0xbf) break;
        point = (point << 6) | (next & 0x3f);
      }
      if (length > 0 && k === length && point <= 0x10ffff) {
        out.emit(String.fromCodePoint(point), i, i + 3 * length);
        i += 3 * length;
        continue;
      }
    }
    const next = s.indexOf('%', i + 1);
    const to = next < 0 ? s.length : next;
    out.copy(i, to);
    i = to;
  }
  return out.done();
}
