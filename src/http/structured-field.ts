/**
 * Structured Field Values (RFC 9651): the Lists and Dictionaries that the RateLimit fields use.
 * A field that fails to parse is ignored as a whole, as the RFC requires (§4.2).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-4.2
 */
import { Cursor, isTchar } from './field-syntax.ts';

export type BareItem = number | string | boolean | { token: string } | { bytes: string };
export interface Item {
  value: BareItem | Item[];
  params: Map<string, BareItem>;
}

class ParseError extends Error {}

function fail(): never {
  throw new ParseError();
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isLcalpha(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

function skipSp(cursor: Cursor): void {
  while (cursor.peek() === 0x20) cursor.pos++;
}

function parseKey(cursor: Cursor): string {
  const first = cursor.peek();
  if (!isLcalpha(first) && first !== 0x2a) fail();
  const start = cursor.pos;
  while (!cursor.done) {
    const c = cursor.peek();
    if (isLcalpha(c) || isDigit(c) || c === 0x5f || c === 0x2d || c === 0x2e || c === 0x2a) cursor.pos++;
    else break;
  }
  return cursor.input.slice(start, cursor.pos);
}

function parseNumber(cursor: Cursor): number {
  const start = cursor.pos;
  if (cursor.peek() === 0x2d) cursor.pos++;
  if (!isDigit(cursor.peek())) fail();
  let digits = 0;
  let dot = -1;
  while (!cursor.done) {
    const c = cursor.peek();
    if (isDigit(c)) digits++;
    else if (c === 0x2e && dot < 0) {
      if (digits > 12) fail();
      dot = digits;
    } else break;
    cursor.pos++;
    if (digits > 15) fail();
  }
  const text = cursor.input.slice(start, cursor.pos);
  if (dot >= 0) {
    const fraction = digits - dot;
    if (fraction < 1 || fraction > 3) fail();
  }
  return Number(text);
}

function parseString(cursor: Cursor): string {
  cursor.pos++;
  let out = '';
  while (!cursor.done) {
    const c = cursor.peek();
    cursor.pos++;
    if (c === 0x5c) {
      const next = cursor.peek();
      if (next !== 0x22 && next !== 0x5c) fail();
      out += String.fromCharCode(next);
      cursor.pos++;
    } else if (c === 0x22) {
      return out;
    } else if (c < 0x20 || c > 0x7e) {
      fail();
    } else {
      out += String.fromCharCode(c);
    }
  }
  return fail();
}

function parseBareItem(cursor: Cursor): BareItem {
  const c = cursor.peek();
  if (c === 0x2d || isDigit(c)) return parseNumber(cursor);
  if (c === 0x22) return parseString(cursor);
  if (c === 0x3f) {
    cursor.pos++;
    const b = cursor.peek();
    cursor.pos++;
    if (b === 0x31) return true;
    if (b === 0x30) return false;
    return fail();
  }
  if (c === 0x3a) {
    cursor.pos++;
    const end = cursor.input.indexOf(':', cursor.pos);
    if (end < 0) fail();
    const bytes = cursor.input.slice(cursor.pos, end);
    cursor.pos = end + 1;
    return { bytes };
  }
  if ((c >= 0x41 && c <= 0x5a) || isLcalpha(c) || c === 0x2a) {
    const start = cursor.pos;
    cursor.pos++;
    while (!cursor.done) {
      const t = cursor.peek();
      if (isTchar(t) || t === 0x3a || t === 0x2f) cursor.pos++;
      else break;
    }
    return { token: cursor.input.slice(start, cursor.pos) };
  }
  return fail();
}

function parseParams(cursor: Cursor): Map<string, BareItem> {
  const params = new Map<string, BareItem>();
  while (cursor.peek() === 0x3b) {
    cursor.pos++;
    skipSp(cursor);
    const key = parseKey(cursor);
    let value: BareItem = true;
    if (cursor.peek() === 0x3d) {
      cursor.pos++;
      value = parseBareItem(cursor);
    }
    params.set(key, value);
  }
  return params;
}

function parseItemOrInnerList(cursor: Cursor): Item {
  if (cursor.peek() === 0x28) {
    cursor.pos++;
    const items: Item[] = [];
    for (;;) {
      skipSp(cursor);
      if (cursor.peek() === 0x29) {
        cursor.pos++;
        return { value: items, params: parseParams(cursor) };
      }
      if (cursor.done) fail();
      items.push({ value: parseBareItem(cursor), params: parseParams(cursor) });
      const next = cursor.peek();
      if (next !== 0x20 && next !== 0x29) fail();
    }
  }
  return { value: parseBareItem(cursor), params: parseParams(cursor) };
}

function skipOws(cursor: Cursor): void {
  cursor.skipWhitespace();
}

function parseMembers<T>(input: string, member: (cursor: Cursor) => T): T[] | undefined {
  const cursor = new Cursor(input.trim());
  const members: T[] = [];
  try {
    while (!cursor.done) {
      members.push(member(cursor));
      skipOws(cursor);
      if (cursor.done) break;
      if (cursor.peek() !== 0x2c) fail();
      cursor.pos++;
      skipOws(cursor);
      if (cursor.done) fail(); // a trailing comma
    }
  } catch (error) {
    if (error instanceof ParseError) return undefined;
    throw error;
  }
  return members;
}

/** Parses an sf-list; undefined when the field is not a valid one. */
export function parseList(input: string): Item[] | undefined {
  return parseMembers(input, parseItemOrInnerList);
}

/** Parses an sf-dictionary; undefined when the field is not a valid one. Later keys win (§4.2.2). */
export function parseDictionary(input: string): Map<string, Item> | undefined {
  const entries = parseMembers(input, (cursor): [string, Item] => {
    const key = parseKey(cursor);
    if (cursor.peek() === 0x3d) {
      cursor.pos++;
      return [key, parseItemOrInnerList(cursor)];
    }
    return [key, { value: true, params: parseParams(cursor) }];
  });
  return entries && new Map(entries);
}
