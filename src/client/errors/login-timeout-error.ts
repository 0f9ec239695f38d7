import { GatehouseError } from '../../http/gatehouse-error.ts';

/**
 * No authorization response reached the loopback redirect URI in time: the person did not finish
 * signing in, or the browser was never opened. The listener is closed; start the login again.
 */
export class LoginTimeoutError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_LOGIN_TIMEOUT';
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(
      `No sign-in came back within ${Math.round(timeoutMs / 1000)} s: open the printed URL in a browser and finish signing in, or pass a longer timeoutMs.`,
      LoginTimeoutError.code,
    );
    this.timeoutMs = timeoutMs;
  }
}
