/** RFC 6749 §5.1: an answer of the token endpoint is never cached. */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/** A JSON answer of the OAuth endpoints, not cached unless `headers` says otherwise. */
export function oauthJson(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...NO_STORE, ...headers },
  });
}
