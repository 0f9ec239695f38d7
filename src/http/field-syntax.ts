/**
 * The common rules of HTTP field values (RFC 9110 §5.6): tokens, quoted strings, optional
 * whitespace, and a cursor that reads them without backtracking regular expressions, so no
 * input can make a parser take more than linear time.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6
 */

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

// RFC 9110 §11.2: token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
// One definition of its characters, for the table the cursor reads and the pattern isToken68 tests.
const TOKEN68_CHAR = '[A-Za-z0-9\\-._~+/]';
const TOKEN68 = new Uint8Array(128);
const oneToken68Char = new RegExp(`^${TOKEN68_CHAR}$`);
for (let c = 0; c < 128; c++) TOKEN68[c] = oneToken68Char.test(String.fromCharCode(c)) ? 1 : 0;

export function isTchar(code: number): boolean {
  return code < 128 && TCHAR[code] === 1;
}

export function isToken68Char(code: number): boolean {
  return code < 128 && TOKEN68[code] === 1;
}

/** An RFC 9110 §5.6.2 token: `token = 1*tchar`. */
export function isToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) if (!isTchar(value.charCodeAt(i))) return false;
  return true;
}

/**
 * Whether `value` begins with `lower` in any ASCII case (scheme names, RFC 9110 §11.1), read in
 * place: no lower-cased copy, no slice, on every request. `lower` must be lower case.
 */
export function startsWithAsciiCaseless(value: string, lower: string): boolean {
  if (value.length < lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = value.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether `value` is `lower` in any ASCII case; `lower` must be lower case. */
export function equalsAsciiCaseless(value: string, lower: string): boolean {
  return value.length === lower.length && startsWithAsciiCaseless(value, lower);
}

// Read on every Bearer request. Its two parts match disjoint characters, so it cannot backtrack:
// linear in the length of the token, whatever a client sends.
const TOKEN68_PATTERN = new RegExp(`^${TOKEN68_CHAR}+=*$`);

/** `token68`: the characters above, then only `=` padding. */
export function isToken68(value: string): boolean {
  return TOKEN68_PATTERN.test(value);
}

/**
 * Whether `value` can travel inside a quoted-string: qdtext and quoted-pair allow HTAB, SP,
 * VCHAR and obs-text (%x80-FF), never other control characters (RFC 9110 §5.6.4).
 */
export function isQuotable(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x09) continue;
    if (c < 0x20 || c === 0x7f || c > 0xff) return false;
  }
  return true;
}

/** Formats `value` as a quoted-string, escaping `"` and `\` (RFC 9110 §5.6.4). */
export function quote(value: string): string {
  let out = '"';
  for (const ch of value) out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  return `${out}"`;
}

/** A read position in a field value. Every method stops at the end of the input. */
export class Cursor {
  readonly input: string;
  pos = 0;

  constructor(input: string) {
    this.input = input;
  }

  get done(): boolean {
    return this.pos >= this.input.length;
  }

  peek(): number {
    return this.pos < this.input.length ? this.input.charCodeAt(this.pos) : -1;
  }

  /** OWS / BWS: skips spaces and horizontal tabs; returns how many. */
  skipWhitespace(): number {
    const start = this.pos;
    while (this.pos < this.input.length) {
      const c = this.input.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09) break;
      this.pos++;
    }
    return this.pos - start;
  }

  /** Reads `1*tchar`; returns '' (and does not move) when none is there. */
  readToken(): string {
    const start = this.pos;
    while (this.pos < this.input.length && isTchar(this.input.charCodeAt(this.pos))) this.pos++;
    return this.input.slice(start, this.pos);
  }

  /**
   * Reads a quoted-string starting at the opening `"`, unescaping quoted-pairs. An unterminated
   * string takes the rest of the input and reports `terminated: false`.
   */
  readQuotedString(): { value: string; terminated: boolean } {
    this.pos++; // opening quote
    let value = '';
    let chunkStart = this.pos;
    while (this.pos < this.input.length) {
      const c = this.input.charCodeAt(this.pos);
      if (c === 0x22) {
        value += this.input.slice(chunkStart, this.pos);
        this.pos++;
        return { value, terminated: true };
      }
      if (c === 0x5c && this.pos + 1 < this.input.length) {
        value += this.input.slice(chunkStart, this.pos) + this.input[this.pos + 1];
        this.pos += 2;
        chunkStart = this.pos;
        continue;
      }
      this.pos++;
    }
    value += this.input.slice(chunkStart, this.pos);
    return { value, terminated: false };
  }

  /** Moves past the next comma that is not inside a quoted string (or to the end). */
  skipPastComma(): void {
    while (this.pos < this.input.length) {
      const c = this.input.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        return;
      }
      if (c === 0x22) this.readQuotedString();
      else this.pos++;
    }
  }
}
