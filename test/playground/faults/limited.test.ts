/** /limited: 429 (or 503) past the budget, with Retry-After in seconds or as a date, and RateLimit fields. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRateLimit, parseRetryAfter } from '../../../src/client/index.ts';
import { createProblem } from '../../../src/http/index.ts';
import { playgroundPerFile } from '../../support/playground.ts';

const pg = playgroundPerFile();
const { json } = pg;

describe('playground: rate limits and faults', () => {
  it('answers 429 past the budget, with Retry-After in seconds or as a date, and RateLimit fields', async () => {
    const key = `t-${Date.now()}`;
    const first = await json(`/limited?budget=1&window=5&key=${key}`);
    assert.equal(first.status, 200);
    assert.deepStrictEqual(parseRateLimit(first.headers), {
      source: 'RateLimit',
      policy: 'playground',
      remaining: 0,
      resetMs: 5000,
      limit: 1,
      windowMs: 5000,
      policies: [{ policy: 'playground', remaining: 0, resetMs: 5000, limit: 1, windowMs: 5000 }],
    });
    const seconds = await json(`/limited?budget=1&window=5&key=${key}`);
    assert.deepStrictEqual([seconds.status, seconds.body.code], [429, 'rate_limited']);
    assert.deepStrictEqual(seconds.body, createProblem('rate_limited', { detail: 'Budget of 1 per 5 s used up.' }));
    assert.match(String(seconds.headers.get('retry-after')), /^[1-5]$/);
    const date = await json(`/limited?budget=1&window=5&key=${key}&form=date&status=503`);
    assert.equal(date.status, 503);
    // RFC 9457 §3.1.2: the body's status is the one sent.
    assert.deepStrictEqual([date.body.code, date.body.status], ['rate_limited', 503]);
    const wait = parseRetryAfter(date.headers.get('retry-after'), { date: date.headers.get('date') });
    assert.ok(wait !== undefined && wait > 0 && wait <= 6000, String(wait));
  });
});
