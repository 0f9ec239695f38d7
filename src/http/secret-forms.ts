/**
 * Every form a server may echo a secret in: raw, base64 and base64url (of the secret, and the part
 * of any longer base64 text that encodes it), percent-encoded (either hex case), form-encoded (`+`
 * for spaces) and JSON-escaped.
 */

const MIN_SECRET = 4; // characters: shorter "secrets" would blank out ordinary words

/** Every form of `secret` an output may carry it in (see this file's comment). */
export function secretForms(secret: string): string[] {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET) return [];
  // JSON escapes and percent-escapes beyond encodeURIComponent's are not listed here: an encoder
  // may escape any character, in any mix, so the redactor decodes them instead (see secret-redactor.ts).
  const forms = new Set<string>([secret, JSON.stringify(secret).slice(1, -1), secret.replaceAll(' ', '+')]);
  const percent = encodeURIComponent(secret);
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  for (const encoded of [percent, form])
    forms.add(encoded).add(encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  const textual = [...forms];
  const whole = base64(new TextEncoder().encode(secret));
  forms.add(whole).add(whole.replace(/=+$/, '')).add(toBase64Url(whole));
  // Inside a longer base64 text (a Basic pair, a base64 echo of the request or of a form body), the
  // secret's bytes, as written or percent-/form-/JSON-encoded, start at one of three alignments; the
  // characters made only of its bits are the same whatever surrounds it: scrub those, however
  // short. What stays beside the cut is one character at each edge holding at most 4 bits of the
  // secret's first or last byte (and bits of its neighbours): no whole byte of the secret can be
  // decoded from it, at any alignment. A secret of 4 bytes or more gives runs of at least 4
  // characters, so this never scrubs a lone character or two.
  for (const text of textual) {
    const bytes = new TextEncoder().encode(text);
    for (let offset = 0; offset < 3; offset++) {
      const shifted = new Uint8Array(offset + bytes.length);
      shifted.set(bytes, offset);
      const fragment = base64(shifted).slice(
        Math.ceil((8 * offset) / 6),
        Math.floor((8 * (offset + bytes.length)) / 6),
      );
      if (fragment.length >= MIN_SECRET) forms.add(fragment).add(toBase64Url(fragment));
    }
  }
  forms.delete('');
  return [...forms];
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}

function toBase64Url(base64Text: string): string {
  return base64Text.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_');
}
