import { GatehouseError } from '../../http/gatehouse-error.ts';
import type { OAuthErrorCode } from '../../http/oauth-errors.ts';

export type { OAuthErrorCode };

/** A token request refused; `code` is its error from the catalogue (http/oauth-errors.ts), answered to the client as such. */
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
