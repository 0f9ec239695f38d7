/** API keys in a header or query parameter, prefix-identified, stored hashed, compared in constant time. */
import { invalidArgument } from '../../http/argument-error.ts';
import { isToken } from '../../http/field-syntax.ts';
import type { ApiKeyLookup } from '../../stores/lookups.ts';
import { apiKeyId, apiKeyMatches } from '../credentials/api-key.ts';
import { type Principal, principalOf } from '../principal.ts';
import type { Refusal } from '../refusal.ts';
import type { Scheme } from '../scheme.ts';

export type ApiKeySchemeOptions = ({ header: string } | { query: string }) & { keys: ApiKeyLookup };

export function apiKeyScheme(options: ApiKeySchemeOptions): Scheme<string> {
  if (!options?.keys || typeof options.keys.findApiKey !== 'function')
    throw invalidArgument('apiKeyScheme: keys must have findApiKey(keyId)');
  const header = 'header' in options ? options.header : undefined;
  const query = 'query' in options ? options.query : undefined;
  if (header !== undefined && !isToken(header))
    throw invalidArgument('apiKeyScheme: header must be a header name such as "X-API-Key"');
  if (header === undefined && (typeof query !== 'string' || !query))
    throw invalidArgument("apiKeyScheme: pass { header: 'X-API-Key' } or { query: 'api_key' }");
  const invalid: Refusal = { reason: 'credentials_invalid', scheme: 'apiKey', detail: 'The API key is not valid.' };

  return {
    name: 'apiKey',
    precedence: 20,
    detect(request) {
      const value = header !== undefined ? request.request.headers.get(header) : request.url.searchParams.get(query!);
      if (value === null) return { present: false };
      if (value.includes(',')) return { present: true, malformed: `more than one ${header ?? query} was sent` };
      return { present: true, credentials: value.trim() };
    },
    async verify(key): Promise<Principal | Refusal> {
      const keyId = apiKeyId(key);
      if (!keyId) return invalid;
      const record = await options.keys.findApiKey(keyId);
      if (!record || record.revoked || !apiKeyMatches(key, record.hash)) return invalid;
      const now = Date.now();
      if (record.expiresAt !== undefined && record.expiresAt <= now) {
        return {
          reason: 'credentials_invalid',
          scheme: 'apiKey',
          detail: `The API key expired at ${new Date(record.expiresAt).toISOString()}; ask for a new one.`,
        };
      }
      await options.keys.touchApiKey?.(keyId, now);
      return principalOf(record, 'apiKey');
    },
    challenge: (realm) => ({
      scheme: 'ApiKey',
      params: header !== undefined ? { realm, header } : { realm, query: query! },
    }),
    openapi: () =>
      header !== undefined
        ? { type: 'apiKey', in: 'header', name: header }
        : { type: 'apiKey', in: 'query', name: query },
  };
}
