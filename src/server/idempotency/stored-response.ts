/**
 * An answer as the idempotency ledger keeps it, and back: the one encoding every adapter's
 * middleware writes and replays. It knows nothing of claims or runs.
 */
import type { StoredResponse } from '../../stores/types.ts';

/** Response headers that belong to one connection or one message, never replayed. */
const NOT_KEPT = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date', 'set-cookie']);
/** Marks a body the ledger keeps as base64 (it was not UTF-8); never sent. */
const BASE64 = 'x-gatehouse-ledger-base64';
/**
 * Marks the entry of a run whose answer the ledger could not keep: it took effect, so its key
 * stays taken (a repeat is refused, never run again) until keepMs passes.
 */
const LOST = 'x-gatehouse-ledger-lost';

/** The entry kept in place of an answer the ledger could not keep (see keepAnswer). */
export const LOST_ANSWER: StoredResponse = { status: 503, headers: { [LOST]: '1' }, body: '' };

/** Whether a kept entry is LOST_ANSWER: the run took effect and its answer is gone. */
export function isLostAnswer(stored: StoredResponse): boolean {
  return Boolean(stored.headers[LOST]);
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
