import { GatehouseError } from '../../http/gatehouse-error.ts';
import { systemErrorCode } from './network-error.ts';

/**
 * The status line and headers arrived, then the connection broke while the body was being read.
 * Unlike a NetworkError, the server answered, so a request that changes state may have taken effect.
 */
export class BodyCutError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_BODY_CUT';
  readonly method: string;
  readonly url: string;
  readonly status: number;
  /** Body bytes that arrived before the cut, when the caller read `body` as a stream (the readers such as `json()` do not count). */
  readonly receivedBytes: number | undefined;
  /** The length the server announced in Content-Length, when it announced one. */
  readonly expectedBytes: number | undefined;

  constructor(details: {
    method: string;
    url: string;
    status: number;
    receivedBytes: number | undefined;
    expectedBytes: number | undefined;
    /** The retry policy would resend it: an idempotent method, or one with an Idempotency-Key. */
    resendSafe: boolean;
    cause: unknown;
  }) {
    const got = details.receivedBytes;
    const expected = details.expectedBytes;
    const progress =
      got !== undefined
        ? `, after ${got} byte${got === 1 ? '' : 's'}${expected === undefined ? '' : ` of the ${expected} announced`}`
        : expected === undefined
          ? ''
          : ` (${expected} bytes were announced)`;
    const code = systemErrorCode(details.cause);
    const advice = details.resendSafe
      ? 'Sending the request again is safe.'
      : `The server answered ${details.status}, so the ${details.method} may have taken effect: send it again only with an Idempotency-Key.`;
    super(
      `${details.method} ${details.url}: the connection closed while the response body was being read${progress}${code ? ` (${code})` : ''}. ${advice}`,
      BodyCutError.code,
      { cause: details.cause },
    );
    this.method = details.method;
    this.url = details.url;
    this.status = details.status;
    this.receivedBytes = details.receivedBytes;
    this.expectedBytes = details.expectedBytes;
  }
}
