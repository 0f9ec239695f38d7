import { GatehouseError } from '../../http/gatehouse-error.ts';

/**
 * The protected resource metadata a 401 pointed to names another resource than the URL that was
 * called (RFC 9728 §3.3, §7.3): whoever served it could be impersonating the API to collect a
 * token for another one. Its data was not used and no token was requested.
 */
export class ResourceMismatchError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_RESOURCE_MISMATCH';
  /** The URL the client called. */
  readonly called: string;
  /** The `resource` the document names. */
  readonly named: string;

  constructor(details: { called: string; named: string; metadataUrl: string }) {
    super(
      `The resource metadata at ${details.metadataUrl} names the resource ${JSON.stringify(details.named)}, which is neither ${details.called} nor a path above it on its origin (RFC 9728 §3.3): not used, no token requested. The API must publish metadata whose resource is its own URL; if it is yours, fix its resource value.`,
      ResourceMismatchError.code,
    );
    this.called = details.called;
    this.named = details.named;
  }
}
