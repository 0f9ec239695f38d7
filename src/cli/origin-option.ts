/**
 * `--origin` (doctor) and `--cors-origin` (serve): an origin as a browser sends it in an Origin
 * header (RFC 6454 §6.2: scheme "://" host [":" port], no path, not even "/"). A near miss is
 * refused with what to write instead, never trimmed silently: `https://app.example/` names a page,
 * and a value that is no origin at all (`notanorigin`) would otherwise be sent as it is.
 */
import { UsageError } from './usage-error.ts';

/** The origin `value` names, serialized (lower-case, no default port); a UsageError for anything else. */
export function originOption(option: string, value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !/^https?:\/\/[^/]/i.test(value))
    throw new UsageError(`${option} takes an origin, scheme://host[:port], e.g. https://app.example`);
  // Letter case and a default port (:443) are normalised by the browser too: the same origin.
  const bare = url.href === `${url.origin}/` && !value.endsWith('/') && !/[@?#]/.test(value);
  if (bare) return url.origin;
  // url.origin holds no user, path, query or fragment: safe to repeat, whatever else was typed.
  throw new UsageError(
    `${option} takes an origin, with no path (not even a trailing /), query or user: write ${url.origin}`,
  );
}
