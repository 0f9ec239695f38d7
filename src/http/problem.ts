/**
 * Problem details for HTTP APIs (RFC 9457): the body of every refusal Gatehouse sends, and a
 * parser for the ones other servers send.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9457
 */
import { invalidArgument } from './argument-error.ts';
import { getReason, REASON_TYPE_BASE, type Reason, type ReasonCode, reasons } from './reasons.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemDetails {
  /** A URI reference that identifies the problem type; `about:blank` when absent (RFC 9457 §3.1.1). */
  type: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  /** Extension members (RFC 9457 §3.2). */
  [extension: string]: unknown;
}

/** The problem body of a Gatehouse refusal: the standard members plus `code` and `hint`. */
export interface ReasonProblem extends ProblemDetails {
  title: string;
  status: number;
  code: ReasonCode;
  hint: string;
}

export interface CreateProblemOptions {
  /** What happened this time, for a person (RFC 9457 §3.1.4). Never put a secret here. */
  detail?: string;
  instance?: string;
  /** Further members; they cannot replace the standard ones. */
  extensions?: Record<string, unknown>;
}

/**
 * Builds the problem body for a reason from the catalogue.
 *
 * @example createProblem('token_expired', { detail: 'The access token expired at 2026-01-01T00:00:00Z.' })
 */
export function createProblem(code: ReasonCode, options: CreateProblemOptions = {}): ReasonProblem {
  const reason = getReason(code);
  if (!reason) {
    throw invalidArgument(
      `createProblem(code): ${JSON.stringify(code)} is not in the reason catalogue; use one of ${Object.keys(reasons).join(', ')}`,
    );
  }
  const problem: ReasonProblem = {
    ...options.extensions,
    type: reason.type,
    title: reason.title,
    status: reason.status,
    code,
    hint: reason.hint,
  };
  if (options.detail !== undefined) problem.detail = options.detail;
  if (options.instance !== undefined) problem.instance = options.instance;
  return problem;
}

export interface ParseProblemOptions {
  /** Bodies longer than this are not parsed. @default 65_536 characters */
  maxLength?: number;
}

/**
 * Reads a problem details object from a response body (text, or JSON already parsed).
 * Members of the wrong type are ignored, as RFC 9457 §3.1 requires. `undefined` when the body
 * is not a JSON object. Never throws.
 */
export function parseProblem(body: unknown, options: ParseProblemOptions = {}): ProblemDetails | undefined {
  let value = body;
  if (typeof body === 'string') {
    if (body.length > (options.maxLength ?? 65_536)) return undefined;
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const source = value as Record<string, unknown>;
  const problem: ProblemDetails = { ...source, type: 'about:blank' };
  for (const member of ['title', 'status', 'detail', 'instance'] as const) delete problem[member];

  if (typeof source['type'] === 'string') problem.type = source['type'];
  if (typeof source['title'] === 'string') problem.title = source['title'];
  if (typeof source['status'] === 'number' && Number.isInteger(source['status'])) problem.status = source['status'];
  if (typeof source['detail'] === 'string') problem.detail = source['detail'];
  if (typeof source['instance'] === 'string') problem.instance = source['instance'];
  return problem;
}

/**
 * The catalogue reason a problem names: its `code` member, or a type URI from the catalogue.
 * `undefined` for problems from elsewhere.
 */
export function reasonOfProblem(problem: ProblemDetails | undefined): Reason | undefined {
  if (!problem) return undefined;
  const byCode = getReason(problem['code']);
  if (byCode) return byCode;
  if (problem.type.startsWith(REASON_TYPE_BASE)) return getReason(problem.type.slice(REASON_TYPE_BASE.length));
  return undefined;
}
