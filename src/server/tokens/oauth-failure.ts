import { GatehouseError } from '../../http/gatehouse-error.ts';
import type { OAuthErrorCode } from '../../http/oauth-errors.ts';

export type { OAuthErrorCode };

/** A token request refused; `code` is its error from the catalogue (http/oauth-errors.ts), answered to the client as such. */
export class OAuthFailure extends GatehouseError {
  declare readonly code: OAuthErrorCode;
  readonly status: number;
  readonly challenge: boolean;
  /** Header fields the answer carries besides WWW-Authenticate (a DPoP-Nonce, RFC 9449 §8). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    code: OAuthErrorCode,
    description: string,
    status = 400,
    challenge = false,
    headers: Record<string, string> = {},
  ) {
    super(description, code);
    this.headers = headers;
    this.status = status;
    this.challenge = challenge;
  }
}
