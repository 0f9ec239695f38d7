/** The faults' query and path parameters: bounded numbers, client-chosen keys, and the refusal of one out of range. */
import type { Context } from 'hono';
import { problemResponse } from '../../server/server-failure.ts';
import { MAX_CLIENT_KEY_LENGTH } from '../client-keyed-state.ts';
import { originOf } from '../httpbin/request-report.ts';

/** A query or path parameter out of its range: the catalogue's request_invalid, the detail naming the range. */
export const badParameters = (detail: string) => problemResponse('request_invalid', detail);

/** A bounded number from the query, or undefined when it is not one. */
export function numberParam(c: Context, name: string, fallback: number, max: number): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 && value <= max ? value : undefined;
}

/** The key a client chose in ?name, or the client's address; undefined when it is too long. */
export function clientKey(c: Context, name: string): string | undefined {
  const chosen = c.req.query(name);
  return chosen === undefined ? originOf(c) : chosen.length <= MAX_CLIENT_KEY_LENGTH ? chosen : undefined;
}

export const keyTooLong = (name: string) => badParameters(`${name} is at most ${MAX_CLIENT_KEY_LENGTH} characters.`);
