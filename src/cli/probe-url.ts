/**
 * The doctor's URL argument, refused rather than guessed: only an absolute http:// or https:// URL
 * is probed. Typed without its scheme, `localhost:8080/api/me` parses as the scheme "localhost:";
 * such a line gets a suggestion instead, unless repeating it would print a user or a query, where
 * credentials travel (`alice:pass@api.example`, `?access_token=…`).
 */
import { isLoopbackHost } from '../playground/host-check.ts';
import { UsageError } from './usage-error.ts';

/** host[:port][/path]: what a URL without its scheme looks like, and nothing that could hold a secret. */
const SCHEMELESS =
  /^(?<host>localhost|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?(?:\/[^?#@]*)?$/i;

export function probeUrl(text: string): string {
  if (/^https?:\/\//i.test(text) && URL.canParse(text)) return text;
  if (text.includes('://')) throw new UsageError('only http:// and https:// URLs can be probed');
  const host = SCHEMELESS.exec(text)?.groups?.['host'];
  if (host === undefined) throw new UsageError('a URL needs http:// or https://');
  // A guess is offered, not taken: plain http for this machine, https for anything else.
  const suggestion = `${isLoopbackHost(host.toLowerCase()) ? 'http' : 'https'}://${text}`;
  if (!URL.canParse(suggestion)) throw new UsageError('a URL needs http:// or https://');
  throw new UsageError(`a URL needs http:// or https://: did you mean ${suggestion}?`);
}
