/**
 * HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, and the obsolete rfc850-date and asctime-date that
 * recipients must still accept. Parsed by fixed-shape patterns, never `Date.parse`, whose
 * leniency differs between engines.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.7
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const DAY_LONG = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';

// Each pattern has a fixed shape with no nested or adjacent open-ended repetition: linear time.
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`, 'i');
const RFC850_DATE = new RegExp(`^${DAY_LONG}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`, 'i');
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`, 'i');

const FIFTY_YEARS = 50 * 365.2425 * 24 * 3600 * 1000;

export interface ParseHttpDateOptions {
  /** The clock that resolves rfc850-date's two-digit years, in ms since the epoch. @default Date.now() */
  now?: number;
}

/**
 * Parses an HTTP-date in any of its three formats into milliseconds since the epoch, or
 * `undefined` when the value is not one.
 */
export function parseHttpDate(
  value: string | null | undefined,
  options: ParseHttpDateOptions = {},
): number | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const input = value.trim();

  let match = IMF_FIXDATE.exec(input);
  if (match) return toEpoch(Number(match[3]), match[2]!, Number(match[1]), match[4]!, match[5]!, match[6]!);

  match = ASCTIME_DATE.exec(input);
  if (match) return toEpoch(Number(match[6]), match[1]!, Number(match[2]!.trim()), match[3]!, match[4]!, match[5]!);

  match = RFC850_DATE.exec(input);
  if (match) {
    const now = options.now ?? Date.now();
    const twoDigits = Number(match[3]);
    const century = Math.floor(new Date(now).getUTCFullYear() / 100) * 100;
    const time = toEpoch(century + twoDigits, match[2]!, Number(match[1]), match[4]!, match[5]!, match[6]!);
    // RFC 9110 §5.6.7: a date more than 50 years ahead means the most recent past year with those digits.
    if (time !== undefined && time - now > FIFTY_YEARS) {
      return toEpoch(century - 100 + twoDigits, match[2]!, Number(match[1]), match[4]!, match[5]!, match[6]!);
    }
    return time;
  }
  return undefined;
}

function toEpoch(year: number, month: string, day: number, hh: string, mm: string, ss: string): number | undefined {
  const monthIndex = MONTHS.indexOf(month.toLowerCase());
  const hours = Number(hh);
  const minutes = Number(mm);
  const seconds = Number(ss);
  // A leap second (60) is allowed by the grammar; it reads as the next second.
  if (hours > 23 || minutes > 59 || seconds > 60) return undefined;
  const time = Date.UTC(year, monthIndex, day, hours, minutes, seconds);
  const check = new Date(Date.UTC(year, monthIndex, day));
  // Rejects 31 Apr, 30 Feb and the like, which Date.UTC would roll over.
  if (check.getUTCDate() !== day || check.getUTCMonth() !== monthIndex || day < 1) return undefined;
  return time;
}

/** Formats a time as IMF-fixdate, the form senders must use (RFC 9110 §5.6.7). */
export function formatHttpDate(time: number | Date): string {
  // ECMA-262 specifies Date.prototype.toUTCString as exactly the IMF-fixdate layout.
  return new Date(time).toUTCString();
}
