import { GatehouseError } from '../../http/gatehouse-error.ts';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

/** A token request refused; `code` is its RFC 6749 §5.2 error, answered to the client as such. */
export class OAuthFailure extends GatehouseError {
  declare readonly code: OAuthErrorCode;
  readonly status: number;
  readonly challenge: boolean;
  constructor(code: OAuthErrorCode, description: string, status = 400, challenge = false) {
    super(description, code);
    this.status = status;
    this.challenge = challenge;
  }
}
