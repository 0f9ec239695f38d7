/** URLs in outputs: userinfo dropped and secret query values masked; and the secrets a URL carries. */
import { isSecretParam } from './credential-params.ts';
import { REDACTED } from './mask.ts';

/** The URL as it may appear in a message: no user:password@, secret query values masked. */
export function redactUrl(url: URL | string, extraSecretParams: Iterable<string> = []): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return '[unparseable URL]';
  }
  parsed.username = '';
  parsed.password = '';
  const extra = new Set([...extraSecretParams].map((p) => p.toLowerCase()));
  const secret = (name: string) => isSecretParam(name) || extra.has(name.toLowerCase());
  let changed = false;
  const params = new URLSearchParams(parsed.search);
  for (const name of new Set(params.keys())) {
    if (secret(name)) {
      params.set(name, REDACTED);
      changed = true;
    }
  }
  if (!changed) return parsed.href;
  parsed.search = params.toString();
  return parsed.href.replaceAll('%E2%80%A6', REDACTED);
}

/** The values of a URL's secret query parameters (and its userinfo password), as secrets to scrub. */
export function urlSecrets(url: URL | string, extraSecretParams: Iterable<string> = []): string[] {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return [];
  }
  const extra = new Set([...extraSecretParams].map((p) => p.toLowerCase()));
  const found = [...parsed.searchParams]
    .filter(([name]) => isSecretParam(name) || extra.has(name.toLowerCase()))
    .map(([, value]) => value);
  if (parsed.password) found.push(decodeURIComponent(parsed.password));
  return found;
}
