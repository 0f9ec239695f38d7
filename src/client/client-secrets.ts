/**
 * Where a client's requests carry secrets: the credential and secret headers of the shared lists
 * (`http/credential-headers.ts`, `http/redact.ts`), the headers its strategy and redirect options
 * name, and the query parameters its strategy names. Read to mask URLs in messages, to keep a
 * redirect from repeating a credential, and to scrub an error of everything a call sent.
 */
import { headerSecrets, isCredentialHeader, isSecretHeader, redactUrl, urlSecrets } from '../http/index.ts';
import type { NormalizedOptions } from './options.ts';
import type { OutgoingRequest } from './outgoing-request.ts';

export class ClientSecrets {
  /** Query parameters whose values are secrets (the strategy's, such as an API key in the query). */
  readonly params: readonly string[];
  /** Header names, lower-cased, that carry the client's own secrets besides the shared lists. */
  readonly #headers: ReadonlySet<string>;

  constructor(config: NormalizedOptions) {
    this.params = config.auth?.secretQueryParams ?? [];
    this.#headers = new Set(
      [...(config.auth?.secretHeaders ?? []), ...config.redirect.secretHeaders].map((h) => h.toLowerCase()),
    );
  }

  /** The URL as messages show it: secret query values masked. */
  show(url: string | URL): string {
    return redactUrl(url, this.params);
  }

  /**
   * The credentials a request carries, and nothing else a redirect must not repeat: a redirect
   * refused for an idempotency key would be a false alarm.
   */
  credentialsIn(request: OutgoingRequest): string[] {
    return carriedSecrets([request], (name) => isCredentialHeader(name) || this.#headers.has(name), this.params);
  }

  /** Every secret the requests carried: credential and other secret headers, secret query values. */
  secretsIn(requests: Array<OutgoingRequest | undefined>): string[] {
    return carriedSecrets(requests, (name) => isSecretHeader(name) || this.#headers.has(name), this.params);
  }
}

/** The secrets the requests carried: the values of the headers `isSecret` names, and secret query values. */
function carriedSecrets(
  requests: Array<OutgoingRequest | undefined>,
  isSecret: (name: string) => boolean,
  secretParams: readonly string[],
): string[] {
  const secrets: string[] = [];
  for (const request of requests) {
    if (!request) continue;
    for (const [name, value] of request.headers) if (isSecret(name)) secrets.push(...headerSecrets(name, value));
    secrets.push(...urlSecrets(request.url, secretParams));
  }
  return secrets;
}
