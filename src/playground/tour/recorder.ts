/** The tour's transport, and what it writes down of each exchange (secrets masked). */
import { CREDENTIAL_HEADERS, maskHeader } from '../../http/index.ts';

/**
 * One request and its answer as the demo prints them: the request line and the headers a scenario
 * is about, masked; the status line, the refusal code and the same for the response. (Not the
 * doctor's `Exchange`, which records the request and response themselves.)
 */
export interface Transcript {
  sent: string;
  received: string;
}

// Every credential field a request carries is shown (masked), then the few others the scenarios are about.
const SHOWN_REQUEST = [...CREDENTIAL_HEADERS, 'x-signature', 'idempotency-key', 'user-agent', 'x-team'];
const SHOWN_RESPONSE = ['www-authenticate', 'retry-after', 'ratelimit', 'set-cookie', 'location'];

/** Real fetch, writing down each exchange as it goes over the wire. */
export function recorder(log: Transcript[]) {
  // Called as the client calls any fetch: (url, init).
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const sentHeaders = SHOWN_REQUEST.filter((h) => request.headers.has(h)).map(
      (h) => `  ${h}: ${maskHeader(h, request.headers.get(h)!)}`,
    );
    const response = await fetch(request);
    const receivedHeaders = SHOWN_RESPONSE.filter((h) => response.headers.has(h)).map(
      (h) => `  ${h}: ${maskHeader(h, response.headers.get(h)!)}`,
    );
    let code = '';
    if ((response.headers.get('content-type') ?? '').includes('json') && !response.ok) {
      const body = await response.clone().text();
      const match = /"(?:code|error)"\s*:\s*"([a-z_]+)"/.exec(body);
      if (match) code = `  (${match[1]})`;
    }
    log.push({
      sent: [
        `${request.method} ${url.pathname}${url.search.length > 60 ? `${url.search.slice(0, 60)}…` : url.search}`,
        ...sentHeaders,
      ].join('\n'),
      received: [`${response.status} ${response.statusText}${code}`, ...receivedHeaders].join('\n'),
    });
    return response;
  };
}
