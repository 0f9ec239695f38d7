/**
 * One introspection request (RFC 7662 §2.1) to an issuer's endpoint, and its answer read with a
 * bound on time and size. Whatever keeps a usable answer from arriving (refused, timed out, not
 * 200, not a JSON object with a boolean `active`) is the server's failure, a KeySourceError that
 * the guard answers 503 keys_unavailable: it says nothing about the token, so never a 401.
 */
import { readLimited } from '../request-limits.ts';
import { KeySourceError } from '../server-failure.ts';

/** How the scheme calls its issuer, settled at creation. */
export interface IntrospectionCall {
  readonly endpoint: URL;
  /** The Basic credentials of the resource server as a client (RFC 6749 §2.3.1). */
  readonly authorization: string;
  readonly fetch: typeof globalThis.fetch;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  /** How a failure report names the endpoint: without userinfo or query. */
  readonly source: string;
}

/** Why an answer was not usable, named in the operator's log line by its code, never its content. */
class IntrospectionAnswerError extends Error {
  readonly code: string;
  constructor(code: string) {
    super(`the introspection endpoint's answer was not usable (${code})`);
    this.name = 'IntrospectionAnswerError';
    this.code = code;
  }
}

/** The issuer's answer about `token`: a JSON object whose `active` is a boolean (RFC 7662 §2.2). */
export async function askIssuer(call: IntrospectionCall, token: string): Promise<Record<string, unknown>> {
  try {
    const response = await call.fetch(call.endpoint, {
      method: 'POST',
      headers: {
        authorization: call.authorization,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
      // The client's credentials go to this URL only: a redirect is an answer that is not 200.
      redirect: 'manual',
      signal: AbortSignal.timeout(call.timeoutMs),
    });
    if (response.status !== 200) {
      response.body?.cancel().catch(() => {});
      throw new IntrospectionAnswerError(`HTTP_${response.status}`);
    }
    // Counted while it streams: an answer past the limit (a declared length past it, at once) is refused.
    const bytes = await readLimited(response.body, call.maxResponseBytes, response.headers.get('content-length'));
    const text = new TextDecoder().decode(bytes);
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      throw new IntrospectionAnswerError('NOT_JSON');
    }
    if (!answer || typeof answer !== 'object' || Array.isArray(answer))
      throw new IntrospectionAnswerError('NOT_AN_OBJECT');
    if (typeof (answer as { active?: unknown }).active !== 'boolean')
      throw new IntrospectionAnswerError('NO_ACTIVE_MEMBER');
    return answer as Record<string, unknown>;
  } catch (error) {
    throw new KeySourceError(call.source, error);
  }
}
