/**
 * An `error_description` (RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3, which the DPoP challenge uses too,
 * RFC 9449 §7.1) holds only %x20-21 / %x23-5B / %x5D-7E: no quote, no backslash, nothing past
 * ASCII. The details Gatehouse writes are for people, with section signs and quoted names; this is
 * the same text in those characters, where a section sign in a header went out as a raw 0xA7 byte.
 */
export function errorDescription(text: string): string {
  return text
    .replaceAll('§', 'section ')
    .replaceAll('"', "'")
    .replaceAll('\\', '/')
    .replace(/[\u2013\u2014]/g, '-')
    .replaceAll('\u2026', '...')
    .replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '');
}
