/**
 * Keeping secrets out of every output, at one depth: client errors, doctor reports, CLI output
 * and log lines all redact through here.
 *
 * - `maskSecret` / `maskHeader`: how a report shows a credential it sent (never whole; never a
 *   decodable part of a password).
 * - `secretRedactor(secrets)`: given the secrets known at that point (the credentials sent, a
 *   client secret), scrubs every form a server may echo them in: raw, base64 and base64url (of
 *   the secret, of a Basic `user:password` pair, and the part of any longer base64 text that
 *   encodes the secret), percent-encoded (either hex case), form-encoded (`+` for spaces) and
 *   JSON-escaped.
 * - `headerSecrets(name, value)`: the secrets one header line carries (a Basic header gives its
 *   base64, its `user:password` pair and its password).
 * - `redactUrl`, `redactText`: URLs lose userinfo and secret query values; texts lose token-like
 *   JSON members and every form of the known secrets.
 */
import { parseAuthorization } from './authorization.ts';
import { decodeBasic } from './basic-credentials.ts';
import { isCredentialHeader } from './credential-headers.ts';
import { isSecretParam, SECRET_PARAMS } from './credential-params.ts';

/** What replaces a secret in an output. */
export const REDACTED = '…';

export function maskSecret(secret: string): string {
  if (typeof secret !== 'string' || secret.length < 16) return REDACTED;
  return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}

// Header names that look like they carry credentials, beyond the CREDENTIAL_HEADERS list: masked
// in reports and counted as secrets (a redirect drops only the list's names: `idempotency-key` is no secret to drop).
// `authorization`/`credential`: proxies and gateways pass a caller's credentials on under such names
// (X-Forwarded-Authorization, X-Upstream-Authorization), often as a whole Basic credential.
// Names written as one word (`X-ApiKey`, `X-AccessToken`, `X-SessionId`, `Api_Key`) say so as plainly.
const SECRET_HEADER_NAME =
  /(^|[-_])(key|token|secret|signature|password|passwd|auth|authorization|credential|session)([-_]|$)|api_?key|access_?(key|token)|auth_?token|secret_?key|private_?key|session_?(id|token)/i;

/** A value that is an Authorization-style Basic credential, whatever header carries it. */
const BASIC_VALUE = /^\s*basic\s/i;

/** Whether a header's value is to be treated as a secret in outputs: the credential list, or a name that says so. */
export function isSecretHeader(name: string): boolean {
  return isCredentialHeader(name) || SECRET_HEADER_NAME.test(name);
}

/**
 * A header value as a report may show it. Authorization keeps its scheme and masks the rest; a
 * Basic credential shows its username at most, parsed or not (any four characters of its base64
 * decode to three bytes of the pair, so none is shown); cookies keep their names; other secret
 * headers are masked.
 */
export function maskHeader(name: string, value: string): string {
  const lower = name.toLowerCase();
  // A Basic credential under another secret header's name is masked as one: the generic mask keeps
  // the last four characters, whose base64 decodes to the password's last bytes.
  if (
    lower === 'authorization' ||
    lower === 'proxy-authorization' ||
    (isSecretHeader(lower) && BASIC_VALUE.test(value))
  ) {
    const parsed = parseAuthorization(value);
    if (parsed.ok && parsed.credentials.kind === 'basic')
      return `${parsed.credentials.scheme ?? 'Basic'} … (user ${JSON.stringify(parsed.credentials.username)}, password hidden)`;
    if (parsed.ok && parsed.credentials.kind === 'digest')
      return `${parsed.credentials.scheme ?? 'Digest'} username=${JSON.stringify(parsed.credentials.digest.username)}, response=…`;
    const trimmed = value.trim();
    const space = trimmed.search(/\s/);
    if (space < 0) return maskSecret(trimmed);
    const scheme = trimmed.slice(0, space);
    if (scheme.toLowerCase() === 'basic') return `${scheme} … (not a valid user:password pair; hidden)`;
    return `${scheme} ${maskSecret(trimmed.slice(space).trim())}`;
  }
  if (lower === 'cookie') return value.replace(/=([^;]*)/g, '=…');
  if (lower === 'set-cookie') return value.replace(/=([^;]*)/, '=…');
  if (isSecretHeader(lower)) return maskSecret(value);
  return value;
}

/** The secrets one header line carries, to be scrubbed wherever a server echoes them. */
export function headerSecrets(name: string, value: string): string[] {
  const lower = name.toLowerCase();
  const trimmed = value.trim();
  const secrets = [trimmed];
  if (lower === 'authorization' || lower === 'proxy-authorization' || BASIC_VALUE.test(trimmed)) {
    const credential = trimmed.replace(/^\S+\s+/, '').trim();
    secrets.push(credential);
    if (/^basic\s/i.test(trimmed)) {
      const decoded = decodeBasic(credential);
      if (decoded.ok) secrets.push(`${decoded.username}:${decoded.password}`, decoded.password);
      else {
        // Not a pair (no colon, encoded twice…): whatever it decodes to is secret too.
        try {
          secrets.push(atob(credential));
        } catch {}
      }
    }
  } else if (lower === 'cookie') {
    for (const part of trimmed.split(';')) {
      const equals = part.indexOf('=');
      if (equals < 0) continue;
      const value = part.slice(equals + 1).trim();
      secrets.push(value);
      // Frameworks read some cookies URL-decoded (Angular and Laravel echo XSRF-TOKEN so).
      try {
        const decoded = decodeURIComponent(value);
        if (decoded !== value) secrets.push(decoded);
      } catch {}
    }
  }
  return secrets;
}

const MIN_SECRET = 4; // characters: shorter "secrets" would blank out ordinary words

/** Every form of `secret` an output may carry it in (see the file's comment). */
export function secretForms(secret: string): string[] {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET) return [];
  // JSON escapes and percent-escapes beyond encodeURIComponent's are not listed here: an encoder
  // may escape any character, in any mix, so the redactor decodes them instead (see `views`).
  const forms = new Set<string>([secret, JSON.stringify(secret).slice(1, -1), secret.replaceAll(' ', '+')]);
  const percent = encodeURIComponent(secret);
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  for (const encoded of [percent, form])
    forms.add(encoded).add(encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  const textual = [...forms];
  const whole = base64(new TextEncoder().encode(secret));
  forms.add(whole).add(whole.replace(/=+$/, '')).add(toBase64Url(whole));
  // Inside a longer base64 text (a Basic pair, a base64 echo of the request or of a form body), the
  // secret's bytes, as written or percent-/form-/JSON-encoded, start at one of three alignments; the
  // characters made only of its bits are the same whatever surrounds it: scrub those, however
  // short. What stays beside the cut is one character at each edge holding at most 4 bits of the
  // secret's first or last byte (and bits of its neighbours): no whole byte of the secret can be
  // decoded from it, at any alignment. A secret of 4 bytes or more gives runs of at least 4
  // characters, so this never scrubs a lone character or two.
  for (const text of textual) {
    const bytes = new TextEncoder().encode(text);
    for (let offset = 0; offset < 3; offset++) {
      const shifted = new Uint8Array(offset + bytes.length);
      shifted.set(bytes, offset);
      const fragment = base64(shifted).slice(
        Math.ceil((8 * offset) / 6),
        Math.floor((8 * (offset + bytes.length)) / 6),
      );
      if (fragment.length >= MIN_SECRET) forms.add(fragment).add(toBase64Url(fragment));
    }
  }
  forms.delete('');
  return [...forms];
}

/**
 * A function that replaces every form of every given secret in a text with `…`.
 *
 * Servers escape what they echo: JSON encoders write any character as `\uXXXX` (Python: non-ASCII;
 * Go: `<>&`; .NET: `+` and upper-case hex; some: everything), `/` as `\/` (PHP), and percent-encoders
 * escape `*`, `~` or any letter. Listing every escaped spelling of a secret is exponential in its
 * length (each character escaped or not), so the redactor reads the text the way its reader would:
 * it matches the secrets' forms against the text as written and against decoded views of it (JSON
 * string escapes, percent-escapes, and those applied twice, as when a JSON text is quoted inside
 * another; and each of those with the line breaks of wrapped base64 taken out), each view keeping,
 * per character, the span of the text it came from. A match in any view replaces its whole span of
 * the original text, escapes and line breaks included, so the output stays the text the server
 * wrote with the secret cut out. At most a fixed number of views, each built in one
 * pass: linear in the text.
 */
export function secretRedactor(secrets: Iterable<string>): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) for (const form of secretForms(secret)) forms.add(form);
  if (forms.size === 0) return (text) => text;
  // Longest first, so a whole Basic pair goes before the password inside it.
  const pattern = new RegExp(
    [...forms]
      .sort((a, b) => b.length - a.length)
      .map((f) => f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
      .join('|'),
    'g',
  );
  return (text) => {
    if (typeof text !== 'string') return text;
    const spans: Array<[number, number]> = [];
    for (const view of views(text)) {
      pattern.lastIndex = 0;
      for (let m = pattern.exec(view.text); m !== null; m = pattern.exec(view.text)) {
        const last = m.index + m[0].length - 1;
        spans.push(view.start ? [view.start[m.index]!, view.end![last]!] : [m.index, last + 1]);
      }
    }
    if (spans.length === 0) return text;
    spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    let out = '';
    let at = 0;
    for (const [from, to] of spans) {
      if (to <= at) continue;
      if (from >= at) out += `${text.slice(at, from)}${REDACTED}`;
      at = to;
    }
    return out + text.slice(at);
  };
}

/** A decoded reading of a text: per code unit, the span [start, end) of the original it came from (none: the original). */
interface View {
  text: string;
  start?: Int32Array;
  end?: Int32Array;
}

const VIEW_DEPTH = 3; // decodings stacked: a percent-encoded JSON text quoted inside a JSON string

/** The text as written and every distinct decoding of it, up to VIEW_DEPTH decoders deep. */
function views(text: string): View[] {
  const all: View[] = [{ text }];
  const seen = new Set([text]);
  let layer: View[] = all.slice();
  for (let depth = 0; depth < VIEW_DEPTH && layer.length > 0; depth++) {
    const next: View[] = [];
    for (const view of layer) {
      for (const decoded of [decodeJsonEscapes(view), decodePercent(view)]) {
        if (decoded === undefined || seen.has(decoded.text)) continue;
        seen.add(decoded.text);
        next.push(decoded);
      }
    }
    all.push(...next);
    layer = next;
  }
  // Line breaks inside base64 go last, from every view: a JSON-escaped `\n` is a line break only
  // once the JSON view has decoded it.
  for (const view of all.slice()) {
    const joined = joinBase64Lines(view);
    if (joined === undefined || seen.has(joined.text)) continue;
    seen.add(joined.text);
    all.push(joined);
  }
  return all;
}

/** Builds a view unit by unit: each emitted string spans [from, to) of `source`'s text. */
function viewBuilder(source: View, length: number) {
  const start = new Int32Array(length);
  const end = new Int32Array(length);
  let text = '';
  let n = 0;
  return {
    emit(units: string, from: number, to: number) {
      const s = source.start ? source.start[from]! : from;
      const e = source.end ? source.end[to - 1]! : to;
      for (let k = 0; k < units.length; k++) {
        start[n] = s;
        end[n] = e;
        n++;
      }
      text += units;
    },
    /** `source`'s text from `from` to `to`, as it is. */
    copy(from: number, to: number) {
      for (let k = from; k < to; k++) {
        start[n] = source.start ? source.start[k]! : k;
        end[n] = source.end ? source.end[k]! : k + 1;
        n++;
      }
      text += source.text.slice(from, to);
    },
    done(): View {
      return { text, start: start.subarray(0, n), end: end.subarray(0, n) };
    },
  };
}

const JSON_SIMPLE: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** RFC 8259 §7: `\uXXXX` (either hex case; a surrogate pair is two of them) and the two-character escapes. */
function decodeJsonEscapes(view: View): View | undefined {
  const s = view.text;
  if (!s.includes('\\')) return undefined;
  const out = viewBuilder(view, s.length);
  let i = 0;
  while (i < s.length) {
    if (s[i] === '\\') {
      const e = s[i + 1];
      if (e !== undefined && Object.hasOwn(JSON_SIMPLE, e)) {
        out.emit(JSON_SIMPLE[e]!, i, i + 2);
        i += 2;
        continue;
      }
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) {
        out.emit(String.fromCharCode(Number.parseInt(s.slice(i + 2, i + 6), 16)), i, i + 6);
        i += 6;
        continue;
      }
    }
    const next = s.indexOf('\\', i + 1);
    const to = next < 0 ? s.length : next;
    out.copy(i, to);
    i = to;
  }
  return out.done();
}

/** RFC 3986 §2.1: `%XX` of any byte, either hex case; a UTF-8 sequence of them is one character. */
function decodePercent(view: View): View | undefined {
  const s = view.text;
  if (!s.includes('%')) return undefined;
  const byteAt = (i: number) =>
    s[i] === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3)) ? Number.parseInt(s.slice(i + 1, i + 3), 16) : -1;
  const out = viewBuilder(view, s.length);
  let i = 0;
  while (i < s.length) {
    const lead = byteAt(i);
    if (lead >= 0) {
      const length =
        lead < 0x80
          ? 1
          : lead >= 0xc2 && lead <= 0xdf
            ? 2
            : lead >= 0xe0 && lead <= 0xef
              ? 3
              : lead >= 0xf0 && lead <= 0xf4
                ? 4
                : 0;
      let point = length === 1 ? lead : lead & (0xff >> (length + 1));
      let k = 1;
      for (; k < length; k++) {
        const next = byteAt(i + 3 * k);
        if (next < 0x80 || next > 0xbf) break;
        point = (point << 6) | (next & 0x3f);
      }
      if (length > 0 && k === length && point <= 0x10ffff) {
        out.emit(String.fromCodePoint(point), i, i + 3 * length);
        i += 3 * length;
        continue;
      }
    }
    const next = s.indexOf('%', i + 1);
    const to = next < 0 ? s.length : next;
    out.copy(i, to);
    i = to;
  }
  return out.done();
}

const BASE64_CHAR = /[A-Za-z0-9+/_-]/;

/**
 * RFC 2045 §6.8 (MIME, 76 columns), RFC 7468 (PEM, 64), and `chunk_split`/`openssl base64`/Java's MIME
 * encoder: base64 wrapped onto lines, so a line break may fall inside a secret's base64. This view
 * drops every line break (CRLF, LF or CR) that sits between two base64 characters, whatever the
 * width; a match across one then cuts the whole wrapped stretch, line breaks included.
 */
function joinBase64Lines(view: View): View | undefined {
  const s = view.text;
  if (!s.includes('\n') && !s.includes('\r')) return undefined;
  const out = viewBuilder(view, s.length);
  let from = 0;
  let joined = false;
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\r' && s[i] !== '\n') continue;
    const after = s[i] === '\r' && s[i + 1] === '\n' ? i + 2 : i + 1;
    if (i > 0 && BASE64_CHAR.test(s[i - 1]!) && after < s.length && BASE64_CHAR.test(s[after]!)) {
      out.copy(from, i);
      from = after;
      joined = true;
    }
    i = after - 1;
  }
  if (!joined) return undefined;
  out.copy(from, s.length);
  return out.done();
}

/** The URL as it may appear in a message: no user:password@, secret query values masked. */
export function redactUrl(url: URL | string, extraSecretParams: Iterable<string> = []): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return '[unparseable URL]';
  }
  parsed.username = '';
  parsed.password = '';
  const extra = new Set([...extraSecretParams].map((p) => p.toLowerCase()));
  const secret = (name: string) => isSecretParam(name) || extra.has(name.toLowerCase());
  let changed = false;
  const params = new URLSearchParams(parsed.search);
  for (const name of new Set(params.keys())) {
    if (secret(name)) {
      params.set(name, REDACTED);
      changed = true;
    }
  }
  if (!changed) return parsed.href;
  parsed.search = params.toString();
  return parsed.href.replaceAll('%E2%80%A6', REDACTED);
}

/** The values of a URL's secret query parameters (and its userinfo password), as secrets to scrub. */
export function urlSecrets(url: URL | string, extraSecretParams: Iterable<string> = []): string[] {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return [];
  }
  const extra = new Set([...extraSecretParams].map((p) => p.toLowerCase()));
  const found = [...parsed.searchParams]
    .filter(([name]) => isSecretParam(name) || extra.has(name.toLowerCase()))
    .map(([, value]) => value);
  if (parsed.password) found.push(decodeURIComponent(parsed.password));
  return found;
}

// In a text a server sent, a JSON member under a secret parameter's name holds one (a token
// response's access_token, an echoed password), save `code`: in an answer it is the error's code
// (RFC 9457 extension members, DRF's `code`), which the doctor reads; an authorization code comes in
// a redirect's query (RFC 6749 §4.1.2), where redactUrl masks it.
const TOKEN_MEMBER = new RegExp(
  // The names are letters, `_` and `-`: nothing to escape.
  `("(${SECRET_PARAMS.filter((p) => p !== 'code').join('|')})"\\s*:\\s*")([^"\\\\]*(?:\\\\.[^"\\\\]*)*)(")`,
  'gi',
);
const PASSWORD_MEMBER = /^(client_secret|password|secret)$/i;

/**
 * An excerpt of a text a server sent: every form of every known secret replaced, token-like
 * JSON members masked (a password or secret member wholly), then cut to `maxLength`.
 */
export function redactText(text: string, secrets: Iterable<string> = [], maxLength = 300): string {
  let out = secretRedactor(secrets)(text);
  out = out.replace(TOKEN_MEMBER, (_m, open: string, member: string, value: string, close: string) => {
    const shown = PASSWORD_MEMBER.test(member) ? REDACTED : maskSecret(value);
    return open + shown + close;
  });
  return out.length > maxLength ? `${out.slice(0, maxLength)}…` : out;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}

function toBase64Url(base64Text: string): string {
  return base64Text.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_');
}
