import { GatehouseError } from '../../http/gatehouse-error.ts';

/** More redirects in a row than `redirect.max`: a loop, most likely. */
export class TooManyRedirectsError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_TOO_MANY_REDIRECTS';
  /** The limit that was passed (`redirect.max`). */
  readonly max: number;

  /** `call` is the request as the caller made it (`GET https://…`), once the client knows it. */
  constructor(max: number, call?: string) {
    const what = `more than ${max} redirects (redirect.max)`;
    super(call === undefined ? what : `${call}: ${what}; check for a redirect loop.`, TooManyRedirectsError.code);
    this.max = max;
  }
}
