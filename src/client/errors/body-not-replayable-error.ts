import { GatehouseError } from '../../http/gatehouse-error.ts';

/** A one-shot ReadableStream body that a retry, a redirect or an authentication round trip would send again. */
export class BodyNotReplayableError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_BODY_NOT_REPLAYABLE';
  constructor() {
    super(
      'the request body is a ReadableStream, which can be sent only once; pass a function that returns a new stream (body: () => stream) to allow retries, redirects and authentication round trips',
      BodyNotReplayableError.code,
    );
  }
}
