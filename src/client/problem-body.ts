/**
 * The problem details (RFC 9457) of an error answer, read from a copy of its body and bounded, so
 * the caller can still read the body itself. The retry stage reads it to tell a 429 `locked_out`
 * (one account's sign-in paused) from a 429 that asks the whole client to slow down.
 */
import { PROBLEM_CONTENT_TYPE, type ProblemDetails, parseProblem } from '../http/index.ts';
import { readBodyStart } from './errors/body-excerpt.ts';

const PROBLEM_BODY_LIMIT = 65_536; // bytes read from an error body to find problem details

export async function readProblem(response: Response): Promise<ProblemDetails | undefined> {
  const type = response.headers.get('content-type') ?? '';
  const isProblem = type.includes(PROBLEM_CONTENT_TYPE);
  if (!isProblem && !type.includes('application/json')) return undefined;
  let json: unknown;
  try {
    // At most the limit is read (from a copy: the caller may still read the body).
    const { text, complete } = await readBodyStart(response.clone(), PROBLEM_BODY_LIMIT);
    if (!complete) return undefined;
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  // Plain JSON counts as problem details only when it carries some of their members.
  if (
    !isProblem &&
    !(json && typeof json === 'object' && ['type', 'title', 'status', 'detail', 'code'].some((m) => m in json))
  )
    return undefined;
  return parseProblem(json);
}

/** The problem's reason code (`locked_out`), when it has a well-formed one. */
export function problemCode(problem: ProblemDetails | undefined): string | undefined {
  const code = problem?.['code'];
  return typeof code === 'string' && /^[a-z0-9_]{1,64}$/.test(code) ? code : undefined;
}
