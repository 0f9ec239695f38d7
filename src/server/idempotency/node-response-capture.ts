/**
 * Keeps what a node:http handler answers, for the idempotency ledger (the node and Express
 * middleware): the status, the headers (those set with setHeader and those given to writeHead)
 * and the body bytes. The answer's last bytes leave only after the ledger has recorded it, so a
 * client that has the answer can count on a repeat being replayed.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { StoredResponse } from '../../stores/types.ts';
import type { IdempotentRun } from './start.ts';
import { fromStoredResponse, toStoredResponse } from './stored-response.ts';

type Chunk = string | Uint8Array;

const toBytes = (chunk: Chunk, encoding: unknown): Buffer =>
  typeof chunk === 'string'
    ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
    : Buffer.from(chunk);

/** Sends a replay or a refusal. */
export function sendStored(res: ServerResponse, stored: StoredResponse): void {
  const { status, headers, body } = fromStoredResponse(stored);
  res.writeHead(status, { ...headers, 'content-length': String(body.length) });
  res.end(body);
}

/** Records the answer `res` gives, then lets its end through; a handler that throws releases the key. */
export function captureResponse(res: ServerResponse, run: IdempotentRun): void {
  const chunks: Buffer[] = [];
  const given: OutgoingHttpHeaders = {};
  const { write, end, writeHead } = res;
  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    const headers = rest.find((arg) => typeof arg === 'object' && arg !== null);
    if (Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2) given[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
    } else if (headers) {
      for (const [name, value] of Object.entries(headers)) given[name.toLowerCase()] = value as string;
    }
    return (writeHead as (...args: unknown[]) => ServerResponse).call(this, status, ...rest);
  } as ServerResponse['writeHead'];
  res.write = function (this: ServerResponse, chunk: Chunk, ...rest: unknown[]) {
    if (chunk != null) chunks.push(toBytes(chunk, rest[0]));
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    const chunk = typeof args[0] === 'function' ? undefined : (args[0] as Chunk | undefined | null);
    if (chunk != null) chunks.push(toBytes(chunk, args[1]));
    const stored = toStoredResponse(
      res.statusCode,
      Object.entries({ ...res.getHeaders(), ...given }),
      Buffer.concat(chunks),
    );
    res.end = end;
    // Sent whether or not the ledger kept it: a client that has its answer does not send again.
    const send = () => (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    run.finish(stored).then(send, send);
    return this;
  } as ServerResponse['end'];
}

/** The Idempotency-Key field of a Node request's headers (as the app holds them), or null. */
export function idempotencyKey(headers: IncomingHttpHeaders): string | null {
  const value = headers['idempotency-key'];
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}
