/**
 * Idempotent POSTs (draft-ietf-httpapi-idempotency-key-header): the first request with an
 * Idempotency-Key runs and its answer is kept in the ledger; a repeat gets that answer again
 * (Idempotent-Replayed: true) instead of a second effect; a repeat that arrives while the first
 * still runs gets 409; the same key with another request gets 422.
 *
 * `idempotent()` wraps a function that answers; `beginIdempotent()` is the same ledger work split
 * in two (claim, then finish or abandon) for middleware that sees the answer later — the
 * `idempotency()` middleware of each adapter is built on it.
 */
import { createHash } from 'node:crypto';
import { createProblem, PROBLEM_CONTENT_TYPE, type ReasonCode, reasons } from '../http/index.ts';
import type { IdempotencyClaim, IdempotencyLedger, StoredResponse } from '../stores/types.ts';
import { type KeyOwner, keyBeforeUpgrade, ledgerKey } from './ledger-keys.ts';

export interface IdempotencyOptions {
  ledger: IdempotencyLedger;
  /** How long a run holds its key before another may take over (a run that died). @default 30_000 ms */
  pendingMs?: number;
  /** How long an answer is kept for replay. @default 86_400_000 ms (24 h) */
  keepMs?: number;
  /** The methods the ledger covers; others pass straight through. @default ['POST', 'PATCH'] */
  methods?: readonly string[];
  /** Refuse a covered request that has no Idempotency-Key (400 `idempotency_key_missing`). @default false */
  required?: boolean;
  /**
   * Told, in one line, when the ledger could not keep an answer (a store failure after the run
   * took effect). The line names the method and path, never the key, the body or the store's message.
   * @default writes the line to stderr
   */
  onLedgerFailure?: (line: string, error: unknown) => void;
  /** The largest body the middleware reads to fingerprint a request; larger is 413 body_too_large. @default 1_048_576 */
  maxBodyBytes?: number;
}

export interface IdempotentRequest {
  method: string;
  /** Path and query: part of what the key must always come with. */
  target: string;
  /** The Idempotency-Key header, if any. */
  key: string | null;
  body: string | Uint8Array;
  /**
   * Whose key it is: the principal the guard verified. Keys are kept per principal (scheme, JWT
   * issuer and id), apart from those of callers without one, so no caller's key ever reaches
   * another's entry (src/server/ledger-keys.ts).
   */
  principal?: KeyOwner | undefined;
}

/** What to do with a request: answer it now (a replay or a refusal), run it, or let it pass. */
export type IdempotencyStart =
  | { action: 'pass' }
  | { action: 'answer'; response: StoredResponse; replayed: boolean }
  | {
      action: 'run';
      /** Records the answer (a 5xx releases the key instead: by contract it took no effect). */
      finish(response: StoredResponse): Promise<void>;
      /** The run failed before it took effect: a retry may run it again. */
      abandon(): Promise<void>;
    };

const DEFAULT_METHODS = ['POST', 'PATCH'];
const DEFAULT_KEEP_MS = 86_400_000; // 24 h
/** When this process started: every entry of the previous key format was written before (see claimedBeforeUpgrade). */
const STARTED = Date.now();
/** Response headers that belong to one connection or one message, never replayed. */
const NOT_KEPT = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date', 'set-cookie']);
/** Marks a body the ledger keeps as base64 (it was not UTF-8); never sent. */
const BASE64 = 'x-gatehouse-ledger-base64';
/**
 * Marks the entry of a run whose answer the ledger could not keep: it took effect, so its key
 * stays taken (a repeat is refused, never run again) until keepMs passes.
 */
const LOST = 'x-gatehouse-ledger-lost';
const LOST_ANSWER: StoredResponse = { status: 503, headers: { [LOST]: '1' }, body: '' };

/** A refusal from the reason catalogue, as a response to send (the ledger never stores it). */
const problem = (code: ReasonCode, detail: string, headers: Record<string, string> = {}): StoredResponse => ({
  status: reasons[code].status,
  headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  body: JSON.stringify(createProblem(code, { detail })),
});

/** A refusal to answer now, never stored. */
const refuse = (code: ReasonCode, detail: string, headers?: Record<string, string>): IdempotencyStart => ({
  action: 'answer',
  replayed: false,
  response: problem(code, detail, headers),
});

/** Whether `options` covers this method (and so the middleware needs the body). */
function coversMethod(options: IdempotencyOptions, method: string): boolean {
  return (options.methods ?? DEFAULT_METHODS).includes(method.toUpperCase());
}

/**
 * Claims the request's key. `body` is read only when the request is covered and has a key.
 * A request whose method is not covered, or that has no key (and none is required), passes.
 */
export async function beginIdempotent(
  options: IdempotencyOptions,
  request: Omit<IdempotentRequest, 'body'> & {
    body: IdempotentRequest['body'] | (() => Promise<IdempotentRequest['body']>);
  },
): Promise<IdempotencyStart> {
  if (!coversMethod(options, request.method)) return { action: 'pass' };
  if (request.key === null) {
    if (!options.required) return { action: 'pass' };
    // The path only: a query may carry a credential (an API key in ?api_key=), and details are sent back.
    const path = request.target.split('?')[0];
    return refuse('idempotency_key_missing', `${request.method} ${path} needs an Idempotency-Key header.`);
  }
  if (!/^[\x21-\x7e]{1,255}$/.test(request.key))
    return refuse('idempotency_key_invalid', 'An Idempotency-Key is 1 to 255 visible ASCII characters.');
  const body = typeof request.body === 'function' ? await request.body() : request.body;
  const fingerprint = createHash('sha256')
    .update(`${request.method.toUpperCase()} ${request.target}\n`)
    .update(body)
    .digest('hex');
  const key = ledgerKey(request.key, request.principal);
  const { ledger } = options;
  const now = Date.now();
  const pendingMs = options.pendingMs ?? 30_000;
  const claim = await ledger.claim(key, fingerprint, now, pendingMs);
  if (claim.state !== 'new') return answerTo(claim, now);
  // This process never writes the old format, so an old entry was written before it started (or by an
  // old instance during a rolling upgrade) and is gone keepMs later: the look costs a claim and a
  // release, paid only while an old entry can still be there.
  const keepMs = options.keepMs ?? DEFAULT_KEEP_MS;
  const old = now < STARTED + Math.max(keepMs, pendingMs) ? keyBeforeUpgrade(request.key, request.principal) : null;
  let before: IdempotencyStart | undefined;
  try {
    before = await claimedBeforeUpgrade(ledger, old, fingerprint, now, pendingMs);
  } catch (error) {
    await ledger.release(key).catch(() => {});
    throw error;
  }
  if (before) {
    await ledger.release(key);
    return before;
  }
  return {
    action: 'run',
    finish: (response) => (response.status >= 500 ? ledger.release(key) : keep(options, request, key, response)),
    abandon: () => ledger.release(key),
  };
}

/** What a claim of a taken key answers: the kept answer again, or a refusal. */
function answerTo(claim: Exclude<IdempotencyClaim, { state: 'new' }>, now: number): IdempotencyStart {
  switch (claim.state) {
    case 'done':
      if (claim.response.headers[LOST]) {
        return refuse(
          'store_unavailable',
          'A request with this Idempotency-Key was processed, but its answer could not be kept, so it cannot be replayed; it will not run again under this key.',
        );
      }
      return {
        action: 'answer',
        replayed: true,
        response: { ...claim.response, headers: { ...claim.response.headers, 'idempotent-replayed': 'true' } },
      };
    case 'pending':
      return refuse(
        'idempotency_key_in_use',
        'A request with this Idempotency-Key is still being processed; send it again shortly.',
        { 'retry-after': '1' },
      );
    case 'conflict':
      return refuse(
        'idempotency_key_reused',
        'This Idempotency-Key was used with a different request; use a new key for a new request.',
      );
    case 'full':
      // Fail closed: forgetting a live key would let its request run twice.
      return refuse('store_unavailable', 'The idempotency ledger is full; send the request again later.', {
        'retry-after': String(Math.max(1, Math.ceil((claim.until - now) / 1000))),
      });
    default:
      return claim satisfies never;
  }
}

/**
 * The same request as the previous key format kept it (keyBeforeUpgrade), if it did.
 *
 * Why look at all: a SQL ledger outlives an upgrade, and the retries an Idempotency-Key exists
 * for come exactly then. A client whose answer was lost as the old process stopped retries on the
 * new one; in a rolling upgrade a repeat reaches a new instance while an old one still runs the
 * first. If old keys simply stopped matching, both would run twice. A 'pending' entry alone would
 * matter little: a run that died holding its key frees it after pendingMs (30 s) in either format,
 * so a retry would run again 30 s later anyway; but a 'done' entry is an effect that took place,
 * and a run still going on an old instance is one too. So an old entry is honoured while it lives:
 * its answer replayed, 409 while its run holds it.
 *
 * The old place is only looked at, never kept: a claim made there to look is given back at once,
 * so nothing stays there. An old entry of another request (422 before) is not honoured: it may have
 * been planted by a caller who reached this principal's key through the old format, and the key
 * is free in the new one. What stays of the old flaw is bounded by the entries written before the
 * upgrade: one planted there with the same request is replayed to its target until it expires; a
 * caller without a principal never reaches a principal's old entry (keyBeforeUpgrade).
 */
async function claimedBeforeUpgrade(
  ledger: IdempotencyLedger,
  old: string | null,
  fingerprint: string,
  now: number,
  pendingMs: number,
): Promise<IdempotencyStart | undefined> {
  if (old === null) return undefined;
  const claim = await ledger.claim(old, fingerprint, now, pendingMs);
  switch (claim.state) {
    case 'new':
      await ledger.release(old);
      return undefined;
    case 'done':
    case 'pending':
      return answerTo(claim, now);
    case 'conflict':
    case 'full':
      return undefined;
    default:
      return claim satisfies never;
  }
}

/**
 * Keeps a run's answer. The run took effect, so a failure here must not free its key (after
 * pendingMs a repeat would run it again): the entry is marked as done without an answer instead,
 * and repeats are refused until keepMs passes. Never rejects: the answer is sent all the same.
 */
async function keep(
  options: IdempotencyOptions,
  request: Pick<IdempotentRequest, 'method' | 'target'>,
  key: string,
  response: StoredResponse,
): Promise<void> {
  const keepMs = options.keepMs ?? DEFAULT_KEEP_MS;
  try {
    await options.ledger.complete(key, response, Date.now(), keepMs);
    return;
  } catch (error) {
    const reserved = await options.ledger.complete(key, LOST_ANSWER, Date.now(), keepMs).then(
      () => true,
      () => false,
    );
    // The store's message stays out: it may quote what was being written.
    const cause = [(error as Error)?.name, (error as { code?: unknown })?.code].filter(Boolean).join(' ');
    const line =
      `gatehouse idempotency(): the answer to ${request.method.toUpperCase()} ${request.target.split('?')[0]} could not be kept (${cause || 'store failure'}); ` +
      (reserved
        ? 'its key stays taken and repeats get 503 store_unavailable until keepMs passes'
        : 'nor could its key be kept: a repeat after pendingMs may run it again');
    (options.onLedgerFailure ?? ((text) => console.error(text)))(line, error);
  }
}

/** Runs `run` at most once per key; returns the response to send. */
export async function idempotent(
  options: IdempotencyOptions,
  request: IdempotentRequest,
  run: () => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const start = await beginIdempotent({ methods: [request.method.toUpperCase()], ...options }, request);
  if (start.action === 'pass') return { ...(await run()), replayed: false };
  if (start.action === 'answer') return { ...start.response, replayed: start.replayed };
  let response: StoredResponse;
  try {
    response = await run();
  } catch (error) {
    await start.abandon();
    throw error;
  }
  await start.finish(response);
  return { ...response, replayed: false };
}

/**
 * An answer as the ledger keeps it: headers a replay may repeat (not Set-Cookie: a session is
 * not handed out twice, nor kept in the ledger), and the body as text, or base64 when it is not UTF-8.
 */
export function toStoredResponse(
  status: number,
  headers: Iterable<[string, string | number | readonly string[] | undefined]>,
  body: Uint8Array,
): StoredResponse {
  const kept: Record<string, string> = {};
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (value === undefined || NOT_KEPT.has(lower) || lower === BASE64 || lower === LOST) continue;
    kept[lower] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  try {
    return { status, headers: kept, body: new TextDecoder('utf-8', { fatal: true }).decode(body) };
  } catch {
    return { status, headers: { ...kept, [BASE64]: '1' }, body: Buffer.from(body).toString('base64') };
  }
}

/** The bytes and headers of a stored answer, ready to send. */
export function fromStoredResponse(stored: StoredResponse): {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
} {
  const { [BASE64]: base64, ...headers } = stored.headers;
  return {
    status: stored.status,
    headers,
    body: base64 ? Buffer.from(stored.body, 'base64') : Buffer.from(stored.body, 'utf8'),
  };
}
