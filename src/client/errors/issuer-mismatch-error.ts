import { GatehouseError } from '../../http/gatehouse-error.ts';

/**
 * An authorization server's metadata names another issuer than the identifier it was fetched for
 * (RFC 8414 §3.3), or an authorization response carries an `iss` that is not the issuer the
 * request went to (RFC 9207 §2.4, a mix-up attack). Nothing was sent to its endpoints.
 */
export class IssuerMismatchError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_ISSUER_MISMATCH';
  /** The issuer identifier the client expected. */
  readonly expected: string;
  /** What the server named instead (undefined when it named none). */
  readonly named: string | undefined;

  constructor(details: { expected: string; named: string | undefined; where: string; fix: string }) {
    super(
      `${details.where} names the issuer ${details.named === undefined ? '(none)' : JSON.stringify(details.named)}, not ${JSON.stringify(details.expected)}: not used. ${details.fix}`,
      IssuerMismatchError.code,
    );
    this.expected = details.expected;
    this.named = details.named;
  }
}
