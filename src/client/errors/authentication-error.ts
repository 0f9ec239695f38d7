import { GatehouseError } from '../../http/gatehouse-error.ts';

/**
 * Getting a token failed: the token endpoint refused, answered something unreadable, or could
 * not be reached. Every request that was waiting for that token fails with this error.
 */
export class AuthenticationError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_AUTHENTICATION';
  /** The token endpoint's status, when it answered. */
  readonly status: number | undefined;
  /** The OAuth 2.0 `error` code (RFC 6749 §5.2), when the endpoint sent one. */
  readonly oauthError: string | undefined;
  /** The start of the endpoint's body, secrets masked. */
  readonly bodyExcerpt: string | undefined;
  /**
   * The endpoint's `error_description` (RFC 6749 §5.2), when it sent one: secrets masked, without
   * control characters, at most 200 characters (the message quotes it too).
   */
  readonly errorDescription: string | undefined;

  constructor(
    message: string,
    details: {
      status?: number;
      oauthError?: string;
      bodyExcerpt?: string;
      errorDescription?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, AuthenticationError.code, { cause: details.cause });
    this.status = details.status;
    this.oauthError = details.oauthError;
    this.bodyExcerpt = details.bodyExcerpt;
    this.errorDescription = details.errorDescription;
  }
}
