/**
 * An authorization server's `error_description` (RFC 6749 §4.1.2.1, §5.2) as an error message may
 * show it. It is the server's text, or a redirect's that anyone could have sent: RFC 6749 allows only
 * printable ASCII in it, so control and format characters (a terminal's escape sequences, bidi
 * overrides) are dropped, line breaks and runs of spaces become one space, and a long one is cut.
 */

const LIMIT = 200; // characters shown of the server's words

/**
 * The description, cleaned and at most 200 characters, `redact`ed before cleaning (a secret
 * echoed line-wrapped is found by its lines), after it (so that no control character hides one)
 * and before the cut (so that none leaves part of one); undefined when there is none, or nothing
 * is left of it.
 */
export function errorDescription(
  value: unknown,
  redact: (text: string) => string = (text) => text,
): string | undefined {
  if (typeof value !== 'string') return undefined;
  const cleaned = redact(value)
    .replace(/[\t\n\v\f\r\u0085\u2028\u2029]+/g, ' ')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
  const text = redact(cleaned);
  if (!text) return undefined;
  const characters = [...text];
  return characters.length > LIMIT ? `${characters.slice(0, LIMIT - 1).join('')}…` : text;
}

/** The end of a message's sentence: `; the server says: <description>.`, or `.` without a description. */
export function serverSays(description: string | undefined): string {
  if (!description) return '.';
  return `; the server says: ${description}${/[.!?…]$/.test(description) ? '' : '.'}`;
}
