/** Something with the `get` of the Fetch API's `Headers`. */
export interface HeadersLike {
  get(name: string): string | null;
}

/** Fetch `Headers`, or a plain object of fields such as Node's `IncomingHttpHeaders`. */
export type HeaderSource = HeadersLike | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * One field's value, repeated lines joined with ", " as `Headers.get` does (RFC 9110 §5.3).
 * Plain objects are searched case-insensitively.
 */
export function getField(headers: HeaderSource | null | undefined, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  if (typeof (headers as HeadersLike).get === 'function') return (headers as HeadersLike).get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return typeof value === 'string' ? value : value.join(', ');
  }
  return undefined;
}
