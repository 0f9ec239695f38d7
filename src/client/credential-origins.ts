/**
 * Where a client's credentials belong. With a baseUrl: its origin and the trusted ones
 * (redirect.trustedOrigins); without, whatever origin each call starts at (the redirect stage
 * keeps them there). A call that names an origin they do not belong to (a `next` link from an
 * answer) is refused before anything is sent, or with otherOrigins: 'omit' sent without them:
 * without the strategy and without the credential headers of the client's `headers` (those the
 * call sets itself go).
 */
import { CrossOriginCredentialsError } from './errors/credential-origin-errors.ts';
import { otherOriginsOption } from './normalize-options.ts';
import type { NormalizedOptions, OtherOrigins } from './options.ts';
import type { OutgoingRequest } from './outgoing-request.ts';
import { credentialHeaderNames } from './redirect.ts';

/** The headers a call starts from, and whether the client's credentials go with it. */
export interface CallDefaults {
  headers: Headers;
  credentialsAllowed: boolean;
}

export class CredentialOrigins {
  /** The baseUrl's origin; undefined without a baseUrl. */
  readonly home: string | undefined;
  /** The origins the credentials belong to; undefined: each call's first URL's. */
  readonly allowed: readonly string[] | undefined;
  /** Whether the client has credentials to withhold: a strategy, or credential headers in `headers`. */
  readonly holdsCredentials: boolean;
  readonly #config: NormalizedOptions;
  /** The default headers a call to another origin starts from. */
  readonly #publicHeaders: Headers;

  constructor(config: NormalizedOptions) {
    this.#config = config;
    this.home = config.baseUrl?.origin;
    this.allowed =
      this.home === undefined
        ? undefined
        : [...new Set([this.home, ...config.redirect.trustedOrigins.map((o) => new URL(o).origin)])];
    const credentialHeaders = credentialHeaderNames(config.redirect);
    this.holdsCredentials = config.auth !== undefined || credentialHeaders.some((name) => config.headers.has(name));
    this.#publicHeaders = new Headers(config.headers);
    for (const name of credentialHeaders) this.#publicHeaders.delete(name);
  }

  /**
   * The headers a call to `url` starts from, and whether the client's credentials go with it;
   * throws CrossOriginCredentialsError for a call its credentials do not belong to, unless the
   * call or the client says otherOrigins: 'omit'. `shown` is the URL as the error may show it.
   */
  defaultsFor(
    url: URL,
    method: string,
    otherOrigins: OtherOrigins | undefined,
    shown: (url: URL) => string,
  ): CallDefaults {
    const allowed = this.allowed;
    if (allowed === undefined || allowed.includes(url.origin))
      return { headers: new Headers(this.#config.headers), credentialsAllowed: true };
    if (
      this.holdsCredentials &&
      otherOriginsOption(otherOrigins, 'otherOrigins', this.#config.otherOrigins) === 'throw'
    ) {
      throw new CrossOriginCredentialsError({ method, url: shown(url), origin: url.origin, allowed });
    }
    return { headers: new Headers(this.#publicHeaders), credentialsAllowed: false };
  }

  /** For an error's message: why a request went without the client's credentials, if it did. */
  withheldNote(request: OutgoingRequest): string | undefined {
    return !request.credentialsAllowed && this.holdsCredentials
      ? `Sent without this client's credentials: ${request.url.origin} is not its baseUrl origin nor a trusted one (otherOrigins: 'omit').`
      : undefined;
  }
}
