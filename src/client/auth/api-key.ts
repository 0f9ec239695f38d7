import { invalidArgument } from '../../http/argument-error.ts';
import { isToken } from '../../http/field-syntax.ts';
import { type AuthStrategy, oneSendStrategy } from '../auth-flow.ts';

export type ApiKeyPlacement = { header: string } | { query: string };

/**
 * An API key in a header (`{ header: 'X-API-Key' }`) or a query parameter (`{ query: 'api_key' }`).
 * A key in the query shows up in server logs and browser history; prefer a header. Either way it
 * is masked in every URL a Gatehouse message shows.
 */
export function apiKey(placement: ApiKeyPlacement, value: string): AuthStrategy {
  if (typeof value !== 'string' || value.length === 0)
    throw invalidArgument('apiKey(placement, value): value must be a non-empty string');
  if (placement && typeof placement === 'object' && 'header' in placement) {
    const name = placement.header;
    if (typeof name !== 'string' || !isToken(name))
      throw invalidArgument(`apiKey: header must be a header name such as "X-API-Key", got ${JSON.stringify(name)}`);
    if (/[\r\n\0]/.test(value))
      throw invalidArgument('apiKey: the key contains a line break or NUL, which no header can carry');
    return oneSendStrategy({ name: 'apiKey', secretHeaders: [name] }, (request) => request.headers.set(name, value));
  }
  if (
    placement &&
    typeof placement === 'object' &&
    'query' in placement &&
    typeof placement.query === 'string' &&
    placement.query
  ) {
    const name = placement.query;
    return oneSendStrategy({ name: 'apiKey', secretQueryParams: [name] }, (request) => {
      request.url = new URL(request.url);
      request.url.searchParams.set(name, value);
    });
  }
  throw invalidArgument("apiKey(placement, value): placement must be { header: 'X-API-Key' } or { query: 'api_key' }");
}
