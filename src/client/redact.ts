/**
 * Keeping secrets out of messages: URLs lose their userinfo and the values of secret query
 * parameters; texts lose the values of token-like JSON members and any secret the client holds.
 */
import { maskSecret } from '../http/index.ts';

/** Query parameters that carry credentials by convention. */
export const SECRET_QUERY_PARAMS: ReadonlySet<string> = new Set([
  'access_token',
  'api_key',
  'apikey',
  'api-key',
  'key',
  'token',
  'client_secret',
  'password',
  'sig',
  'signature',
  'code',
  'refresh_token',
  'id_token',
]);

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
  const secret = new Set([...SECRET_QUERY_PARAMS, ...[...extraSecretParams].map((p) => p.toLowerCase())]);
  let changed = false;
  const params = new URLSearchParams(parsed.search);
  for (const name of new Set(params.keys())) {
    if (secret.has(name.toLowerCase())) {
      params.set(name, '…');
      changed = true;
    }
  }
  if (!changed) return parsed.href;
  parsed.search = params.toString();
  return parsed.href.replaceAll('%E2%80%A6', '…');
}

const TOKEN_MEMBER =
  /("(?:access_token|refresh_token|id_token|token|client_secret|password|secret|api_key|apikey)"\s*:\s*")([^"\\]*(?:\\.[^"\\]*)*)(")/gi;

/**
 * A short excerpt of a response body with token-like JSON members masked and every known
 * secret replaced by its masked form.
 */
export function redactText(text: string, secrets: Iterable<string> = [], maxLength = 300): string {
  let out = text.replace(
    TOKEN_MEMBER,
    (_m, open: string, value: string, close: string) => open + maskSecret(value) + close,
  );
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join(maskSecret(secret));
  }
  return out.length > maxLength ? `${out.slice(0, maxLength)}…` : out;
}
