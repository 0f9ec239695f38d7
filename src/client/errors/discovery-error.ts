import { GatehouseError } from '../../http/gatehouse-error.ts';

/**
 * A metadata document needed to find a token could not be used: the protected resource's
 * (RFC 9728) or the authorization server's (RFC 8414). Its URL was refused (not https, or a
 * link-local or cloud-metadata address a server chose), it could not be fetched in time, or it
 * is not a JSON object with the members the RFC requires. Nothing was sent to its token endpoint.
 */
export class DiscoveryError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_DISCOVERY';
  /** The document's URL, as the message shows it. */
  readonly url: string;

  constructor(url: string, problem: string, options: { cause?: unknown } = {}) {
    super(`The metadata at ${url} could not be used: ${problem}`, DiscoveryError.code, options);
    this.url = url;
  }
}
