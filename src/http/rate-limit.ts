/**
 * What a server says about its rate limits, in the forms found in the wild:
 * - the IETF RateLimit and RateLimit-Policy fields (draft-ietf-httpapi-ratelimit-headers-08 and
 *   later): `RateLimit: "default";r=50;t=30`, `RateLimit-Policy: "default";q=100;w=60`;
 * - draft 07: `RateLimit: limit=100, remaining=50, reset=30`;
 * - drafts up to 06: `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`;
 * - the common `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`.
 *
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/
 */
import { getField, type HeaderSource } from './headers-like.ts';
import { parseHttpDate } from './http-date.ts';
import { type BareItem, type Item, parseDictionary, parseList } from './structured-field.ts';

export type RateLimitSource = 'RateLimit' | 'RateLimit-draft07' | 'RateLimit-Limit' | 'X-RateLimit';

export interface RateLimitPolicy {
  /** The policy's name, when the server names it. */
  policy?: string;
  /** Quota units the policy allows per window. */
  limit?: number;
  /** Quota units left. */
  remaining?: number;
  /** Milliseconds until the quota resets. */
  resetMs?: number;
  /** The policy's window, in milliseconds. */
  windowMs?: number;
}

export interface RateLimitInfo extends RateLimitPolicy {
  /** Which form of the fields was read. */
  source: RateLimitSource;
  /** Every policy the server listed, the most constraining first (it is also spread above). */
  policies: RateLimitPolicy[];
}

export interface ParseRateLimitOptions {
  /** The local clock, in ms since the epoch. @default Date.now() */
  now?: number;
  /** The response's `Date` field: an absolute X-RateLimit-Reset is measured against it. */
  date?: string | null;
}

/**
 * Reads rate-limit fields, the IETF ones first. `undefined` when the response carries none
 * that parse. Never throws.
 */
export function parseRateLimit(
  headers: HeaderSource | null | undefined,
  options: ParseRateLimitOptions = {},
): RateLimitInfo | undefined {
  const sources: Array<() => RateLimitInfo | undefined> = [
    () => fromStructured(headers),
    () => fromDraft07(headers),
    () => fromSeparateFields(headers, 'RateLimit', 'RateLimit-Limit', options),
    () => fromSeparateFields(headers, 'X-RateLimit', 'X-RateLimit', options),
  ];
  for (const read of sources) {
    const info = read();
    if (info) return info;
  }
  return undefined;
}

function nonNegative(value: BareItem | Item[] | undefined): number | undefined {
  return typeof value === 'number' && value >= 0 && Number.isFinite(value) ? value : undefined;
}

function nameOf(item: Item): string | undefined {
  if (typeof item.value === 'string') return item.value;
  if (typeof item.value === 'object' && 'token' in item.value) return item.value.token;
  return undefined;
}

function assign(policy: RateLimitPolicy, key: keyof RateLimitPolicy, value: number | string | undefined): void {
  if (value !== undefined) (policy as Record<string, unknown>)[key] = value;
}

// Draft 08+: both fields are Lists whose items name a policy.
function fromStructured(headers: HeaderSource | null | undefined): RateLimitInfo | undefined {
  const current = getField(headers, 'RateLimit');
  const declared = getField(headers, 'RateLimit-Policy');
  const currentItems = current === undefined ? undefined : parseList(current);
  if (!currentItems || currentItems.length === 0 || !currentItems.every((item) => item.params.has('r')))
    return undefined;

  const byName = new Map<string, Item>();
  for (const item of (declared !== undefined && parseList(declared)) || []) {
    const name = nameOf(item);
    if (name !== undefined) byName.set(name, item);
  }
  const policies = currentItems.map((item) => {
    const policy: RateLimitPolicy = {};
    const name = nameOf(item);
    assign(policy, 'policy', name);
    assign(policy, 'remaining', nonNegative(item.params.get('r')));
    const reset = nonNegative(item.params.get('t'));
    assign(policy, 'resetMs', reset === undefined ? undefined : reset * 1000);
    const declaration = name === undefined ? undefined : byName.get(name);
    if (declaration) {
      assign(policy, 'limit', nonNegative(declaration.params.get('q')));
      const window = nonNegative(declaration.params.get('w'));
      assign(policy, 'windowMs', window === undefined ? undefined : window * 1000);
    }
    return policy;
  });
  return summarize('RateLimit', policies);
}

// Draft 07: `RateLimit` is a Dictionary with limit, remaining and reset.
function fromDraft07(headers: HeaderSource | null | undefined): RateLimitInfo | undefined {
  const current = getField(headers, 'RateLimit');
  const dictionary = current === undefined ? undefined : parseDictionary(current);
  if (!dictionary?.has('remaining')) return undefined;
  const policy: RateLimitPolicy = {};
  assign(policy, 'limit', nonNegative(dictionary.get('limit')?.value));
  assign(policy, 'remaining', nonNegative(dictionary.get('remaining')?.value));
  const reset = nonNegative(dictionary.get('reset')?.value);
  assign(policy, 'resetMs', reset === undefined ? undefined : reset * 1000);
  const declared = getField(headers, 'RateLimit-Policy');
  const first = declared === undefined ? undefined : parseList(declared)?.[0];
  const window = first ? nonNegative(first.params.get('w')) : undefined;
  assign(policy, 'windowMs', window === undefined ? undefined : window * 1000);
  return summarize('RateLimit-draft07', [policy]);
}

// Above this, an X-RateLimit-Reset is an instant rather than a number of seconds to wait.
const EPOCH_SECONDS_FLOOR = 1_000_000_000; // 2001-09-09
const EPOCH_MS_FLOOR = 100_000_000_000;

function fromSeparateFields(
  headers: HeaderSource | null | undefined,
  prefix: string,
  source: RateLimitSource,
  options: ParseRateLimitOptions,
): RateLimitInfo | undefined {
  const limit = integerField(headers, `${prefix}-Limit`);
  const remaining = integerField(headers, `${prefix}-Remaining`);
  const reset = integerField(headers, `${prefix}-Reset`);
  if (limit === undefined && remaining === undefined && reset === undefined) return undefined;
  const policy: RateLimitPolicy = {};
  assign(policy, 'limit', limit);
  assign(policy, 'remaining', remaining);
  if (reset !== undefined) {
    if (reset < EPOCH_SECONDS_FLOOR) {
      policy.resetMs = reset * 1000;
    } else {
      // An absolute time (GitHub sends epoch seconds): measured against the server's own clock.
      const now = options.now ?? Date.now();
      const base = parseHttpDate(options.date, { now }) ?? now;
      const at = reset < EPOCH_MS_FLOOR ? reset * 1000 : reset;
      policy.resetMs = Math.max(0, at - base);
    }
  }
  return summarize(source, [policy]);
}

function integerField(headers: HeaderSource | null | undefined, name: string): number | undefined {
  const raw = getField(headers, name);
  if (raw === undefined) return undefined;
  // A repeated field arrives as "5, 5": take the first value.
  const text = raw.split(',')[0]!.trim();
  if (!/^\d{1,16}$/.test(text)) return undefined;
  return Number(text);
}

function summarize(source: RateLimitSource, policies: RateLimitPolicy[]): RateLimitInfo {
  // Most constraining first: the fewest units left, then the longest wait.
  const sorted = [...policies].sort(
    (a, b) =>
      (a.remaining ?? Number.POSITIVE_INFINITY) - (b.remaining ?? Number.POSITIVE_INFINITY) ||
      (b.resetMs ?? 0) - (a.resetMs ?? 0),
  );
  return { ...sorted[0], source, policies: sorted };
}
