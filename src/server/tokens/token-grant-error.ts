import { GatehouseError } from '../../http/gatehouse-error.ts';

/** A grant that cannot be honoured, with its RFC 6749 §5.2 error code. */
export class TokenGrantError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_TOKEN_GRANT';
  declare readonly code: typeof TokenGrantError.code;
  readonly oauthError: 'invalid_grant' | 'invalid_request' | 'invalid_scope' | 'invalid_target' | 'invalid_dpop_proof';
  constructor(oauthError: TokenGrantError['oauthError'], description: string) {
    super(description, TokenGrantError.code);
    this.oauthError = oauthError;
  }
}
