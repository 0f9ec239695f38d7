import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatHttpDate, parseRetryAfter } from '../../src/http/index.ts';
import { anyString } from '../support/arbitraries.ts';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 10, 22, 12, 0, 0);
  const vectors: Array<[string, number | undefined]> = [
    ['120', 120_000],
    ['0', 0],
    [' 5 ', 5_000],
    ['007', 7_000],
    ['-1', undefined],
    ['1.5', undefined],
    ['1e3', undefined],
    ['+5', undefined],
    ['', undefined],
    ['   ', undefined],
    ['soon', undefined],
    ['120 seconds', undefined],
    // RFC 9111 §1.2.2: an overflowing delta-seconds is taken as 2^31.
    ['99999999999999999999999', 2 ** 31 * 1000],
    ['2147483649', 2 ** 31 * 1000],
    ['Sun, 22 Nov 2026 12:00:30 GMT', 30_000],
    ['Sunday, 22-Nov-26 12:01:00 GMT', 60_000],
    ['Sun Nov 22 12:00:10 2026', 10_000],
    // A date in the past means "now".
    ['Sun, 06 Nov 1994 08:49:37 GMT', 0],
    ['Sun, 31 Apr 2026 00:00:00 GMT', undefined],
  ];
  for (const [input, expected] of vectors) {
    it(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(parseRetryAfter(input, { now }), expected));
  }

  it("measures an HTTP-date against the response's Date, so a skewed local clock does not matter", () => {
    const server = 'Sun, 22 Nov 2026 12:00:00 GMT';
    const retryAt = 'Sun, 22 Nov 2026 12:00:30 GMT';
    // The local clock runs an hour fast: against it the date is long past; against Date it is 30 s away.
    const fastClock = now + 3_600_000;
    assert.equal(parseRetryAfter(retryAt, { now: fastClock }), 0);
    assert.equal(parseRetryAfter(retryAt, { now: fastClock, date: server }), 30_000);
    // And an hour slow.
    assert.equal(parseRetryAfter(retryAt, { now: now - 3_600_000, date: server }), 30_000);
  });

  it('falls back to the local clock when Date is missing or unreadable', () => {
    assert.equal(parseRetryAfter('Sun, 22 Nov 2026 12:00:30 GMT', { now, date: 'yesterday' }), 30_000);
    assert.equal(parseRetryAfter('Sun, 22 Nov 2026 12:00:30 GMT', { now, date: null }), 30_000);
  });

  it('ignores Date for delta-seconds', () => {
    assert.equal(parseRetryAfter('10', { now, date: 'Sun, 06 Nov 1994 08:49:37 GMT' }), 10_000);
  });

  it('uses Date.now() when no clock is given', () => {
    const wait = parseRetryAfter(formatHttpDate(Date.now() + 60_000));
    assert.ok(wait !== undefined && wait > 55_000 && wait <= 60_000, String(wait));
  });

  it('returns undefined for null and undefined', () => {
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  it('never throws and never returns a negative or non-finite wait', () => {
    fc.assert(
      fc.property(anyString, fc.option(anyString), (value, date) => {
        const wait = parseRetryAfter(value, { now, date });
        assert.ok(wait === undefined || (Number.isFinite(wait) && wait >= 0));
      }),
      { numRuns: 3000 },
    );
  });
});
