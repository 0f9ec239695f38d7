/**
 * The server's own failures (a store that cannot be reached, a key source that does not answer,
 * a bug): never a 401, since the credentials may be valid. Each becomes a 5xx problem from the
 * catalogue, with nothing of the error in the answer, and one line for the operator through an
 * `onError` hook that names the failing source.
 */
import { GatehouseError } from '../http/gatehouse-error.ts';
import { createProblem, PROBLEM_CONTENT_TYPE } from '../http/index.ts';
import type { Refusal } from './refusal.ts';

export type FailureReason = 'store_unavailable' | 'keys_unavailable' | 'internal_error';

/** What `onError` sees: the reason answered, the source that failed, and the error itself. */
export interface ServerFailure {
  reason: FailureReason;
  /** What failed, for the operator: `scheme "basic"`, `permission`, `token endpoint`, a JWKS URL. Never a secret. */
  source: string;
  error: unknown;
}

/** Called once per failure; the default writes one line on stderr. */
export type OnError = (failure: ServerFailure) => void;

/** How long a client is told to wait after a 503. */
export const FAILURE_RETRY_AFTER_MS = 5_000; // ms

/** A key source (a remote JWKS) that did not give keys; thrown by the bearer scheme, answered 503 keys_unavailable. */
export class KeySourceError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_KEY_SOURCE';
  declare readonly code: typeof KeySourceError.code;
  /** The key source, without userinfo or query. */
  readonly source: string;
  constructor(source: string, cause: unknown) {
    super(`The key source ${source} did not give keys (${describeError(cause)}).`, KeySourceError.code, { cause });
    this.source = source;
  }
}

// Network errors of Node, pg and ioredis that say the store could not be reached (not that the query was wrong).
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'ERR_SOCKET_CLOSED',
  'ERR_GATEHOUSE_STORE_UNREACHABLE',
]);

/** Classifies a failure: a store out of reach is 503 (try again), anything else 500. */
export function failureOf(error: unknown, source: string): ServerFailure {
  if (error instanceof KeySourceError) return { reason: 'keys_unavailable', source: error.source, error };
  return { reason: isUnreachable(error) ? 'store_unavailable' : 'internal_error', source, error };
}

function isUnreachable(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown; message?: unknown; errors?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  // Postgres SQLSTATE classes 08 (connection exception), 57P (operator intervention), 53300 (too many connections).
  if (UNREACHABLE.has(code) || /^(08|57P)/.test(code) || code === '53300') return true;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  if (
    typeof e.message === 'string' &&
    /^(Connection is closed|Connection terminated|timeout exceeded when trying to connect|Stream isn't writeable and enableOfflineQueue options is false)/.test(
      e.message,
    )
  )
    return true;
  return Array.isArray(e.errors) && e.errors.some(isUnreachable);
}

// Messages that are fixed text of Node, undici, pg, ioredis and jose: they hold no value of the
// request or the configuration, so the line may show them. Any other message (a database's may
// quote a parameter, an application's anything at all) is left out.
const FIXED_MESSAGES =
  /^(fetch failed|bad port|other side closed|Connection is closed\.|Connection terminated( unexpectedly| due to connection timeout)?|timeout exceeded when trying to connect|Cannot use a pool after calling end on the pool|Client was closed and is not queryable|Client has encountered a connection error and is not queryable|request timed out|The operation was aborted due to timeout|Expected 200 OK from the JSON Web Key Set HTTP response|JSON Web Key Set malformed|Failed to parse the JSON Web Key Set HTTP response as JSON|Reached the max retries per request limit \(which is \d+\)\. Refer to "maxRetriesPerRequest" option for details\.|Stream isn't writeable and enableOfflineQueue options is false)$/;

// Gatehouse's own words about a contract its caller broke (an isRevoked that answered no boolean,
// a verify() with neither a principal nor a refusal): fixed text that names the culprit and holds
// no value of the request, a claim or the configuration, so the line shows it. A place inside the
// package (dist/…/jwt-verifier.js:43) would leave the operator to open the package to learn it.
const CONTRACT_ERRORS = new WeakSet<object>();

/** A TypeError for a contract broken by the app's code, its message shown in the failure line. */
export function contractError(message: string): TypeError {
  const error = new TypeError(message);
  CONTRACT_ERRORS.add(error);
  return error;
}

/**
 * The error in a few words, safe for a log line: its class and code, its message when that is a
 * system error's (a refused connection names an address, never a value the client sent), a
 * library's fixed text or Gatehouse's words about a broken contract, else where it was thrown;
 * then its cause, which is often the part that says what happened (fetch failed ← ECONNREFUSED
 * 127.0.0.1:9).
 */
export function describeError(error: unknown, depth = 0): string {
  if (error instanceof KeySourceError) return `${error.name}: ${describeError(error.cause, depth + 1)}`;
  const e = error as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    syscall?: unknown;
    errors?: unknown;
    cause?: unknown;
    stack?: unknown;
  } | null;
  if (!e || typeof e !== 'object') return typeof error;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const hasCode = (typeof e.code === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(e.code)) || typeof e.code === 'number';
  const code = hasCode ? ` ${e.code}` : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const shown = message && (typeof e.syscall === 'string' || FIXED_MESSAGES.test(message) || CONTRACT_ERRORS.has(e));
  const where = shown || hasCode ? '' : thrownAt(e.stack);
  const text = `${name}${code}${shown ? `: ${message}` : ''}${where ? ` at ${where}` : ''}`;
  if (depth >= 3) return text;
  const inner = Array.isArray(e.errors) && e.errors.length > 0 ? ` (${describeError(e.errors[0], depth + 1)})` : '';
  const cause = e.cause !== undefined && e.cause !== error ? ` ← ${describeError(e.cause, depth + 1)}` : '';
  return `${text}${inner}${cause}`;
}

/** The first frame of a stack outside Node's internals, as file:line (relative to the working directory). */
function thrownAt(stack: unknown): string {
  if (typeof stack !== 'string') return '';
  for (const frame of stack.split('\n').slice(1)) {
    const place = /\(?((?:file:\/\/)?[^\s()]+):(\d+):\d+\)?\s*$/.exec(frame);
    if (!place || place[1]!.startsWith('node:')) continue;
    const file = place[1]!.replace(/^file:\/\//, '');
    const cwd = `${process.cwd()}/`;
    return `${file.startsWith(cwd) ? file.slice(cwd.length) : file}:${place[2]}`;
  }
  return '';
}

/** A URL's userinfo and query or fragment, wherever one appears in a line, where a secret may sit. */
function withoutUrlSecrets(line: string): string {
  return line
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1…@')
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s?#]*)[?#]\S*/gi, '$1');
}

/** A failure in one line for the operator, naming the source and the cause, with no secret. */
export function failureLine(failure: ServerFailure): string {
  const line = `gatehouse: ${failure.reason} from ${failure.source}: ${describeError(failure.error)}`;
  return withoutUrlSecrets(line).replace(/[\r\n]+/g, ' ');
}

/** The default `onError`: the failure's line on stderr. */
export const logFailure: OnError = (failure) => {
  console.error(failureLine(failure));
};

/** Runs the hook; a hook that throws must not turn one failure into a crash. */
export function report(onError: OnError | undefined, failure: ServerFailure): void {
  try {
    (onError ?? logFailure)(failure);
  } catch {
    // The answer is sent all the same.
  }
}

const DETAILS: Record<FailureReason, string> = {
  store_unavailable: 'The server could not reach its store; try again shortly.',
  keys_unavailable:
    "The server could not get the keys to check the token (the issuer's JWKS, or its own key store); try again shortly.",
  internal_error: 'The server failed while handling this request.',
};

/** The refusal the guard gives for a failure (5xx; a 503 carries Retry-After). */
export function failureRefusal(failure: ServerFailure): Refusal {
  return {
    reason: failure.reason,
    detail: DETAILS[failure.reason],
    ...(failure.reason === 'internal_error' ? {} : { retryAfterMs: FAILURE_RETRY_AFTER_MS }),
  };
}

/** A problem+json Response from the catalogue, for the places that answer without a guard. */
export function problemResponse(
  reason: Refusal['reason'],
  detail: string,
  headers: Record<string, string> = {},
): Response {
  const problem = createProblem(reason, { detail });
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store', ...headers },
  });
}

/** The Response for a failure where no guard answers (the token endpoint, the fetch mounts). */
export function failureResponse(failure: ServerFailure): Response {
  const refusal = failureRefusal(failure);
  return problemResponse(
    failure.reason,
    refusal.detail!,
    refusal.retryAfterMs === undefined ? {} : { 'retry-after': String(Math.ceil(refusal.retryAfterMs / 1000)) },
  );
}
