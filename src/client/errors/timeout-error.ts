import { GatehouseError } from '../../http/gatehouse-error.ts';

/** A time budget ran out: one attempt's (`attempt`), or the whole call's including retries and waits (`total`). */
export class TimeoutError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_TIMEOUT';
  readonly which: 'attempt' | 'total';
  readonly timeoutMs: number;
  readonly method: string;
  readonly url: string;
  readonly attempts: number;

  constructor(details: {
    which: 'attempt' | 'total';
    timeoutMs: number;
    method: string;
    url: string;
    attempts: number;
    note?: string | undefined;
  }) {
    const budget = details.which === 'attempt' ? 'per-attempt timeout' : 'total deadline';
    super(
      `${details.method} ${details.url} exceeded its ${budget} of ${details.timeoutMs} ms after ${details.attempts} attempt${details.attempts === 1 ? '' : 's'}.${details.note ? ` ${details.note}` : ''} Raise timeout.${details.which} if the server is known to be this slow.`,
      TimeoutError.code,
    );
    this.which = details.which;
    this.timeoutMs = details.timeoutMs;
    this.method = details.method;
    this.url = details.url;
    this.attempts = details.attempts;
  }
}
