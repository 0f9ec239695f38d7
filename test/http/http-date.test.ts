import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatHttpDate, parseHttpDate } from '../../src/http/index.ts';

const NOV_6_1994 = Date.UTC(1994, 10, 6, 8, 49, 37);

describe('parseHttpDate', () => {
  const valid: Array<[string, number]> = [
    // RFC 9110 §5.6.7's three spellings of one instant.
    ['Sun, 06 Nov 1994 08:49:37 GMT', NOV_6_1994],
    ['Sunday, 06-Nov-94 08:49:37 GMT', NOV_6_1994],
    ['Sun Nov  6 08:49:37 1994', NOV_6_1994],
    ['Sun Nov 16 08:49:37 1994', Date.UTC(1994, 10, 16, 8, 49, 37)],
    ['  Sun, 06 Nov 1994 08:49:37 GMT  ', NOV_6_1994],
    ['sun, 06 nov 1994 08:49:37 gmt', NOV_6_1994],
    ['Thu, 29 Feb 2024 23:59:59 GMT', Date.UTC(2024, 1, 29, 23, 59, 59)],
    ['Thu, 01 Jan 1970 00:00:00 GMT', 0],
    // The weekday is not checked against the date: senders get it wrong, the date is what counts.
    ['Mon, 06 Nov 1994 08:49:37 GMT', NOV_6_1994],
  ];
  for (const [input, expected] of valid) {
    it(`reads ${JSON.stringify(input)}`, () =>
      assert.equal(parseHttpDate(input, { now: Date.UTC(2026, 0, 1) }), expected));
  }

  const invalid = [
    '',
    'garbage',
    '2024-01-01T00:00:00Z',
    'Sun, 06 Nov 1994 08:49:37 UTC',
    'Sun, 06 Nov 1994 08:49:37',
    'Sun, 6 Nov 1994 08:49:37 GMT',
    'Sun, 31 Apr 2024 00:00:00 GMT',
    'Fri, 29 Feb 2023 00:00:00 GMT',
    'Sun, 00 Nov 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 24:00:00 GMT',
    'Sun, 06 Nov 1994 08:60:00 GMT',
    'Sun, 06 Foo 1994 08:49:37 GMT',
    'Xyz, 06 Nov 1994 08:49:37 GMT',
    'Sun,  06 Nov 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 08:49:37 GMT trailing',
  ];
  for (const input of invalid) {
    it(`refuses ${JSON.stringify(input)}`, () => assert.equal(parseHttpDate(input), undefined));
  }

  it('reads a two-digit rfc850 year as the most recent past century when 50+ years ahead (RFC 9110 §5.6.7)', () => {
    const now = Date.UTC(2026, 0, 1);
    // 2070 is 44 years ahead: within 50, so it stays in this century.
    assert.equal(parseHttpDate('Wednesday, 01-Jan-70 00:00:00 GMT', { now }), Date.UTC(2070, 0, 1));
    assert.equal(parseHttpDate('Friday, 01-Jan-60 00:00:00 GMT', { now }), Date.UTC(2060, 0, 1));
    assert.equal(parseHttpDate('Tuesday, 01-Jan-77 00:00:00 GMT', { now }), Date.UTC(1977, 0, 1));
  });

  it('formats IMF-fixdate, and reads back what it formats', () => {
    assert.equal(formatHttpDate(NOV_6_1994), 'Sun, 06 Nov 1994 08:49:37 GMT');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) / 1000 }), (seconds) => {
        assert.equal(parseHttpDate(formatHttpDate(seconds * 1000)), seconds * 1000);
      }),
    );
  });
});
