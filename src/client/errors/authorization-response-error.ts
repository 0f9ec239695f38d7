import { GatehouseError } from '../../http/gatehouse-error.ts';

/**
 * The redirect back from the authorization server cannot be used: its `state` is not the one
 * this client sent (RFC 6749 §10.12: a forged or stale callback), it has no code, or the server
 * answered with an error (RFC 6749 §4.1.2.1). No code was exchanged.
 */
export class AuthorizationResponseError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_AUTHORIZATION_RESPONSE';
  /** The OAuth 2.0 `error` the server sent (`access_denied`, …), when it sent one. */
  readonly oauthError: string | undefined;
  /**
   * The server's `error_description`, when it sent one: without control characters, at most 200
   * characters (the message quotes it too).
   */
  readonly errorDescription: string | undefined;

  constructor(message: string, oauthError?: string, errorDescription?: string) {
    super(message, AuthorizationResponseError.code);
    this.oauthError = oauthError;
    this.errorDescription = errorDescription;
  }
}
