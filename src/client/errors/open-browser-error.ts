import { GatehouseError } from '../../http/gatehouse-error.ts';

/**
 * loopbackLogin's `openBrowser` failed, so nobody can sign in: the sign-in ended at once and its
 * listener is closed. The function's own error is the `cause`.
 */
export class OpenBrowserError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_OPEN_BROWSER';

  constructor(cause: unknown) {
    const name = cause instanceof Error ? cause.name : typeof cause;
    super(
      `openBrowser failed (${name}), so nobody can sign in: fix it, or leave openBrowser out to have the URL printed (print) for the person to open. See error.cause.`,
      OpenBrowserError.code,
      { cause },
    );
  }
}
