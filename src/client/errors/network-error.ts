import { GatehouseError } from '../../http/gatehouse-error.ts';

/** The request did not get a response: the connection was refused, reset or never made. */
export class NetworkError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_NETWORK';
  readonly method: string;
  readonly url: string;
  readonly attempts: number;
  /** Whether the request is known not to have reached the server (connection refused, DNS failure). */
  readonly notSent: boolean;

  constructor(details: {
    method: string;
    url: string;
    attempts: number;
    notSent: boolean;
    cause: unknown;
    note?: string | undefined;
  }) {
    const why = describeCause(details.cause, details.url);
    super(
      `${details.method} ${details.url} failed before a response arrived${why ? ` (${why})` : ''} after ${details.attempts} attempt${details.attempts === 1 ? '' : 's'}.${details.note ? ` ${details.note}` : ''}`,
      NetworkError.code,
      { cause: details.cause },
    );
    this.method = details.method;
    this.url = details.url;
    this.attempts = details.attempts;
    this.notSent = details.notSent;
  }
}

/** The system error code behind a fetch failure (undici puts it on `cause`). */
export function systemErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function describeCause(cause: unknown, url: string): string {
  const code = systemErrorCode(cause);
  if (code === 'ECONNREFUSED') return 'connection refused: is the server running on that port?';
  if (code === 'ECONNRESET') return 'connection reset by the peer';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name did not resolve';
  if (code === 'UND_ERR_SOCKET') return 'the socket closed early';
  if (code) return code;
  // fetch refuses the Fetch standard's "bad ports" (6000, 6667, …) with no system code: say so, or
  // the message names no cause at all.
  if (isBadPort(cause))
    return `port ${portOf(url)} is one fetch refuses to connect to, a "bad port" of the Fetch standard: use another`;
  return '';
}

/**
 * Whether fetch refused the URL's port as one of the Fetch standard's "bad ports" (6000, 6667, …):
 * it fails so before connecting, on every attempt alike.
 */
export function isBadPort(error: unknown): boolean {
  return causeMessages(error).includes('bad port');
}

/** The messages along an error's cause chain, outermost first. */
function causeMessages(error: unknown): string[] {
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string') messages.push(message);
    current = (current as { cause?: unknown }).cause;
  }
  return messages;
}

function portOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  } catch {
    return '(unknown)';
  }
}
