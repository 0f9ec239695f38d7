import { GatehouseError } from '../../http/gatehouse-error.ts';
import {
  type Challenge,
  getReason,
  type ProblemDetails,
  parseChallenges,
  parseRetryAfter,
  secretRedactor,
} from '../../http/index.ts';
import { problemCode } from '../problem-body.ts';

export interface HttpErrorDetails {
  response: Response;
  method: string;
  /** The request URL, secrets already masked. */
  url: string;
  attempts: number;
  /** The problem details body, when the server sent one. */
  problem?: ProblemDetails | undefined;
  /** Why the client did not recover, for the message. */
  note?: string | undefined;
  /** The secrets the request carried (credential header values, secret query values), scrubbed from what the server said. */
  secrets?: readonly string[] | undefined;
}

// RFC 9110 §15: the standard reason phrases. The message shows these, never the server's own
// reason phrase, which is free text and may echo what it was sent.
const PHRASES: Readonly<Record<number, string>> = {
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

/** The server answered with a status that recovery could not fix (`throwHttpErrors` is on). */
export class HttpError extends GatehouseError {
  static override readonly code: string = 'ERR_GATEHOUSE_HTTP';
  readonly status: number;
  readonly method: string;
  readonly url: string;
  readonly attempts: number;
  /** The problem details body; not enumerable, since a server may echo what it was sent. */
  declare readonly problem: ProblemDetails | undefined;
  /**
   * Why, in the server's words: a reason code from the problem body (`token_expired`), else the
   * RFC 6750 `error` of the challenge (`invalid_token`).
   */
  readonly reason: string | undefined;
  /** The response; not enumerable, so logging the error does not dump it. */
  declare readonly response: Response;

  constructor(details: HttpErrorDetails, code: string = HttpError.code, reason?: string) {
    const { response, method, url, attempts, problem, note } = details;
    // The reason is a word the server chose: if it carries a secret the request sent, it is dropped.
    const redact = secretRedactor(details.secrets ?? []);
    const given = reason ?? problemCode(problem);
    const resolved = given !== undefined && redact(given) === given ? given : undefined;
    const known = getReason(resolved);
    const phrase = PHRASES[response.status];
    const status = `${response.status}${phrase ? ` ${phrase}` : ''}`;
    // Only the catalogue's own words go into the message: a server's free text could echo a secret.
    const why = resolved ? ` (${resolved}${known ? `: ${known.hint}` : ''})` : '';
    super(
      redact(
        `${method} ${url} answered ${status}${why} after ${attempts} attempt${attempts === 1 ? '' : 's'}.${note ? ` ${note}` : ''}`,
      ),
      code,
    );
    this.status = response.status;
    this.method = method;
    this.url = url;
    this.attempts = attempts;
    this.reason = resolved;
    hide(this, 'response', response);
    hide(this, 'problem', problem);
  }
}

/** Keeps server-sent content out of inspect, JSON and loggers that walk enumerable keys. */
function hide(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, writable: false, configurable: true });
}

function bearerError(challenges: Challenge[]): string | undefined {
  for (const challenge of challenges) {
    const error = challenge.params['error'];
    if (error && /^[\x20-\x7e]{1,64}$/.test(error)) return error;
  }
  return undefined;
}

/** A refusal that comes with challenges: the parsed WWW-Authenticate of a 401 or 403. */
abstract class ChallengedError extends HttpError {
  /** The WWW-Authenticate challenges, parsed; not enumerable (an error_description may echo a credential). */
  declare readonly challenges: Challenge[];

  constructor(details: HttpErrorDetails, code: string) {
    const challenges = parseChallenges(details.response.headers);
    super(details, code, problemCode(details.problem) ?? bearerError(challenges));
    hide(this, 'challenges', challenges);
  }
}

/** 401: the credentials were missing, wrong, expired or revoked, and one refresh did not fix it. */
export class UnauthorizedError extends ChallengedError {
  static override readonly code: string = 'ERR_GATEHOUSE_UNAUTHORIZED';
  constructor(details: HttpErrorDetails, code: string = UnauthorizedError.code) {
    super(details, code);
  }
}

/** 403: authenticated, but not allowed; new credentials for the same identity will not help. */
export class ForbiddenError extends ChallengedError {
  static override readonly code = 'ERR_GATEHOUSE_FORBIDDEN';
  constructor(details: HttpErrorDetails) {
    super(details, ForbiddenError.code);
  }
}

/** 429 (or a 503 with Retry-After) that the client would not, or could no longer, wait out. */
export class RateLimitedError extends HttpError {
  static override readonly code: string = 'ERR_GATEHOUSE_RATE_LIMITED';
  /** How long the server asked to wait, in ms, measured against its own Date. */
  readonly retryAfterMs: number | undefined;

  constructor(details: HttpErrorDetails & { retryAfterMs?: number | undefined }, code: string = RateLimitedError.code) {
    super(details, code);
    this.retryAfterMs =
      details.retryAfterMs ??
      parseRetryAfter(details.response.headers.get('retry-after'), { date: details.response.headers.get('date') });
  }
}

/**
 * 429 `locked_out`: sign-in with these credentials is paused (too many failures in a row). It
 * concerns one account from this client, not the API: the client neither retries it (nothing
 * changes before Retry-After) nor holds back its other calls to the origin.
 */
export class LockedOutError extends RateLimitedError {
  static override readonly code = 'ERR_GATEHOUSE_LOCKED_OUT';
  constructor(details: HttpErrorDetails & { retryAfterMs?: number | undefined }) {
    super(details, LockedOutError.code);
  }
}

/** The right error class for a status (and, for a 429, the problem's code). */
export function httpErrorFor(details: HttpErrorDetails & { retryAfterMs?: number | undefined }): HttpError {
  const status = details.response.status;
  if (status === 401) return new UnauthorizedError(details);
  if (status === 403) return new ForbiddenError(details);
  if (status === 429 && problemCode(details.problem) === 'locked_out') return new LockedOutError(details);
  if (status === 429 || (status === 503 && details.retryAfterMs !== undefined)) return new RateLimitedError(details);
  return new HttpError(details);
}
