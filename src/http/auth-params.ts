/**
 * The part after the scheme that challenges and credentials share (RFC 9110 §11.2, §11.3, §11.4):
 * `auth-scheme [ 1*SP ( token68 / #auth-param ) ]`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.2
 */
import { invalidArgument as invalid } from './argument-error.ts';
import { type Cursor, isQuotable, isToken, isToken68, isToken68Char, quote } from './field-syntax.ts';

/** What was wrong with the text after a scheme; parsing goes on past it. */
export type AuthParamIssue =
  | 'unterminated_quote'
  | 'expected_param'
  | 'junk_after_value'
  | 'duplicate_param'
  | 'missing_space_after_scheme';

export interface AuthRest {
  params: Record<string, string>;
  token68?: string;
  issues: AuthParamIssue[];
}

function isBoundary(cursor: Cursor): boolean {
  return cursor.done || cursor.peek() === 0x2c;
}

/**
 * Tries to read a token68 that runs to the end of this element. Leaves the cursor where it
 * was when what follows is not a token68 (for example `realm="x"`).
 */
function readToken68(cursor: Cursor): string | undefined {
  const start = cursor.pos;
  while (!cursor.done && isToken68Char(cursor.peek())) cursor.pos++;
  const charsEnd = cursor.pos;
  while (cursor.peek() === 0x3d) cursor.pos++;
  const end = cursor.pos;
  cursor.skipWhitespace();
  if (charsEnd > start && isBoundary(cursor)) return cursor.input.slice(start, end);
  cursor.pos = start;
  return undefined;
}

/**
 * In a list of challenges, a comma ends either a parameter or a whole challenge. It is a
 * parameter when a token and `=` follow (RFC 9110 §11.6.1 leaves this to the recipient).
 * Leaves the cursor at the start of that parameter, or returns false and leaves the cursor
 * at the start of whatever comes next.
 */
function nextIsParam(cursor: Cursor): boolean {
  while (!cursor.done) {
    const c = cursor.peek();
    if (c === 0x2c || c === 0x20 || c === 0x09) cursor.pos++;
    else break;
  }
  const start = cursor.pos;
  const name = cursor.readToken();
  cursor.skipWhitespace();
  const isParam = name.length > 0 && cursor.peek() === 0x3d;
  cursor.pos = start;
  return isParam;
}

/** An unquoted value: a token in the grammar, read leniently up to whitespace or a comma. */
function readBareValue(cursor: Cursor): string {
  const start = cursor.pos;
  while (!cursor.done) {
    const c = cursor.peek();
    if (c === 0x2c || c === 0x20 || c === 0x09 || c === 0x22) break;
    cursor.pos++;
  }
  return cursor.input.slice(start, cursor.pos);
}

/**
 * Reads what follows a scheme. The cursor stands right after the scheme.
 * In `list` mode (challenges) it stops at the comma that starts the next challenge; otherwise
 * (credentials) it reads to the end.
 */
export function readAuthRest(cursor: Cursor, list: boolean): AuthRest {
  const issues: AuthParamIssue[] = [];
  const entries = new Map<string, string>();
  const rest = (): AuthRest => ({ params: Object.fromEntries(entries), issues });

  const spaces = cursor.skipWhitespace();
  if (isBoundary(cursor)) return rest();
  if (spaces === 0) issues.push('missing_space_after_scheme');

  const token68 = readToken68(cursor);
  if (token68 !== undefined) return { params: {}, token68, issues };

  let first = true;
  while (!cursor.done) {
    if (!first) {
      // After a comma: a parameter of this element, or (in a list) the next element.
      const atParam = nextIsParam(cursor);
      if (cursor.done) break;
      if (!atParam) {
        if (list) break;
        issues.push('expected_param');
        cursor.skipPastComma();
        continue;
      }
    }
    first = false;

    const nameStart = cursor.pos;
    const name = cursor.readToken().toLowerCase();
    cursor.skipWhitespace();
    if (name.length === 0 || cursor.peek() !== 0x3d) {
      cursor.pos = nameStart;
      issues.push('expected_param');
      cursor.skipPastComma();
      continue;
    }
    cursor.pos++; // "="
    cursor.skipWhitespace();

    let value: string;
    if (cursor.peek() === 0x22) {
      const quoted = cursor.readQuotedString();
      if (!quoted.terminated) issues.push('unterminated_quote');
      value = quoted.value;
    } else {
      value = readBareValue(cursor);
    }
    if (entries.has(name)) issues.push('duplicate_param');
    else entries.set(name, value);

    cursor.skipWhitespace();
    if (cursor.done) break;
    if (cursor.peek() !== 0x2c) {
      issues.push('junk_after_value');
      cursor.skipPastComma();
    } else {
      cursor.pos++;
    }
  }
  return rest();
}

/**
 * Formats the part after a scheme. Values are quoted unless `bare` says the parameter's
 * grammar is a token and the value is one.
 */
export function formatAuthRest(
  params: Record<string, string>,
  token68: string | undefined,
  bare: ReadonlySet<string>,
  what: string,
): string {
  if (token68 !== undefined) {
    if (!isToken68(token68)) throw invalid(`${what}: token68 ${JSON.stringify(token68)} is not a valid token68`);
    if (Object.keys(params).length > 0) throw invalid(`${what}: a token68 and parameters cannot be sent together`);
    return ` ${token68}`;
  }
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (!isToken(name)) throw invalid(`${what}: parameter name ${JSON.stringify(name)} is not a token`);
    if (typeof value !== 'string' || !isQuotable(value)) {
      throw invalid(
        `${what}: the value of "${name}" contains a character a header cannot carry (a control character or one above U+00FF)`,
      );
    }
    parts.push(`${name}=${bare.has(name.toLowerCase()) && isToken(value) ? value : quote(value)}`);
  }
  return parts.length > 0 ? ` ${parts.join(', ')}` : '';
}
