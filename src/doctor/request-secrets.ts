/** The secrets in what the user gave (a body, URL userinfo, keys), and the headers a browser names in a preflight. */
import { isSecretField } from '../http/index.ts';
import type { KeySet } from './key-source.ts';

/**
 * The credentials in a request body (`--data`), form-encoded or JSON, by their fields' names: a
 * server that echoes the request (httpbin's /post, a debug page) gives them back in the report.
 */
export function bodySecrets(data: string | undefined): string[] {
  const text = data?.trim();
  if (!text) return [];
  if (!text.startsWith('{') && !text.startsWith('['))
    return [...new URLSearchParams(text)].filter(([name]) => isSecretField(name)).map(([, value]) => value);
  const found: string[] = [];
  const walk = (value: unknown, name: string, depth: number): void => {
    if (typeof value === 'string' && isSecretField(name)) found.push(value);
    else if (value && typeof value === 'object' && depth < 32)
      for (const [key, member] of Object.entries(value)) walk(member, Array.isArray(value) ? name : key, depth + 1);
  };
  try {
    walk(JSON.parse(text), '', 0);
  } catch {}
  return found;
}

/** `user:password` from a URL's userinfo, when no other Authorization is given. */
export function fromUserinfo(url: URL, headers: Array<[string, string]>, bearer: boolean): string | undefined {
  if ((!url.username && !url.password) || bearer || headers.some(([n]) => n.toLowerCase() === 'authorization'))
    return undefined;
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  return `${decode(url.username)}:${decode(url.password)}`;
}

/** An HMAC secret given as a key, as text: scrubbed like a credential wherever a server might echo it. */
export function givenSecrets(keys: KeySet | undefined): string[] {
  if (!keys || 'unavailable' in keys) return [];
  return keys.keys.flatMap((key) => {
    if (key.kind !== 'secret') return [];
    const text = new TextDecoder('utf-8', { fatal: false }).decode(key.bytes);
    return text.includes('\uFFFD') ? [] : [text];
  });
}

/** Request headers a browser sets itself and scripts may not (the Fetch standard's forbidden request-headers). */
const FORBIDDEN_REQUEST_HEADERS =
  /^(accept-charset|accept-encoding|access-control-request-headers|access-control-request-method|connection|content-length|cookie|cookie2|date|dnt|expect|host|keep-alive|origin|referer|set-cookie|te|trailer|transfer-encoding|upgrade|via|user-agent|proxy-.*|sec-.*)$/i;

/** Whether a browser names this header in a preflight's Access-Control-Request-Headers. */
export function corsUnsafe(name: string, value: string): boolean {
  const n = name.toLowerCase();
  if (FORBIDDEN_REQUEST_HEADERS.test(n) || n === 'accept' || n === 'accept-language' || n === 'content-language')
    return false;
  if (n !== 'content-type') return true;
  const essence = value.split(';')[0]!.trim().toLowerCase();
  return !['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'].includes(essence);
}
