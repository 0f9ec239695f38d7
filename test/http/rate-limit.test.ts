import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseRateLimit, type RateLimitInfo } from '../../src/http/index.ts';
import { anyString } from '../support/arbitraries.ts';

const now = Date.UTC(2026, 10, 22, 12, 0, 0);

describe('parseRateLimit', () => {
  const vectors: Array<[string, Record<string, string>, RateLimitInfo | undefined]> = [
    [
      'IETF draft 08+: one named policy',
      { RateLimit: '"default";r=50;t=30', 'RateLimit-Policy': '"default";q=100;w=60' },
      {
        source: 'RateLimit',
        policy: 'default',
        remaining: 50,
        resetMs: 30_000,
        limit: 100,
        windowMs: 60_000,
        policies: [{ policy: 'default', remaining: 50, resetMs: 30_000, limit: 100, windowMs: 60_000 }],
      },
    ],
    [
      'IETF draft 08+: the most constraining of several policies comes first',
      {
        RateLimit: '"burst";r=40;t=1, "daily";r=0;t=3600',
        'RateLimit-Policy': '"burst";q=50;w=1, "daily";q=1000;w=86400',
      },
      {
        source: 'RateLimit',
        policy: 'daily',
        remaining: 0,
        resetMs: 3_600_000,
        limit: 1000,
        windowMs: 86_400_000,
        policies: [
          { policy: 'daily', remaining: 0, resetMs: 3_600_000, limit: 1000, windowMs: 86_400_000 },
          { policy: 'burst', remaining: 40, resetMs: 1000, limit: 50, windowMs: 1000 },
        ],
      },
    ],
    [
      'IETF draft 08+: RateLimit without its policy',
      { ratelimit: '"p";r=5' },
      { source: 'RateLimit', policy: 'p', remaining: 5, policies: [{ policy: 'p', remaining: 5 }] },
    ],
    [
      'IETF draft 07 dictionary',
      { RateLimit: 'limit=100, remaining=0, reset=7', 'RateLimit-Policy': '100;w=60' },
      {
        source: 'RateLimit-draft07',
        limit: 100,
        remaining: 0,
        resetMs: 7_000,
        windowMs: 60_000,
        policies: [{ limit: 100, remaining: 0, resetMs: 7_000, windowMs: 60_000 }],
      },
    ],
    [
      'IETF drafts up to 06: separate fields',
      { 'RateLimit-Limit': '10', 'RateLimit-Remaining': '3', 'RateLimit-Reset': '12' },
      {
        source: 'RateLimit-Limit',
        limit: 10,
        remaining: 3,
        resetMs: 12_000,
        policies: [{ limit: 10, remaining: 3, resetMs: 12_000 }],
      },
    ],
    [
      'X-RateLimit with a delta reset',
      { 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '42' },
      {
        source: 'X-RateLimit',
        limit: 60,
        remaining: 0,
        resetMs: 42_000,
        policies: [{ limit: 60, remaining: 0, resetMs: 42_000 }],
      },
    ],
    [
      'X-RateLimit with an epoch-seconds reset (GitHub)',
      { 'X-RateLimit-Limit': '5000', 'X-RateLimit-Remaining': '4999', 'X-RateLimit-Reset': String(now / 1000 + 90) },
      {
        source: 'X-RateLimit',
        limit: 5000,
        remaining: 4999,
        resetMs: 90_000,
        policies: [{ limit: 5000, remaining: 4999, resetMs: 90_000 }],
      },
    ],
    [
      'X-RateLimit with an epoch-milliseconds reset',
      { 'X-RateLimit-Remaining': '1', 'X-RateLimit-Reset': String(now + 5_000) },
      { source: 'X-RateLimit', remaining: 1, resetMs: 5_000, policies: [{ remaining: 1, resetMs: 5_000 }] },
    ],
    [
      'X-RateLimit with a reset already past',
      { 'X-RateLimit-Reset': String(now / 1000 - 10) },
      { source: 'X-RateLimit', resetMs: 0, policies: [{ resetMs: 0 }] },
    ],
    [
      'an invalid structured RateLimit falls through to X-RateLimit',
      { RateLimit: '"default";r=', 'X-RateLimit-Remaining': '2' },
      { source: 'X-RateLimit', remaining: 2, policies: [{ remaining: 2 }] },
    ],
    ['garbage values are ignored', { 'X-RateLimit-Limit': 'many', 'X-RateLimit-Remaining': '-1' }, undefined],
    ['no rate-limit fields', { 'Content-Type': 'text/plain' }, undefined],
    [
      'a negative remaining in a structured field is dropped',
      { RateLimit: '"p";r=-5;t=2' },
      { source: 'RateLimit', policy: 'p', resetMs: 2000, policies: [{ policy: 'p', resetMs: 2000 }] },
    ],
  ];
  for (const [what, headers, expected] of vectors) {
    it(what, () => assert.deepStrictEqual(parseRateLimit(headers, { now }), expected));
  }

  it('measures an absolute X-RateLimit-Reset against the response Date', () => {
    const headers = new Headers({ 'X-RateLimit-Reset': String(now / 1000 + 30), Date: new Date(now).toUTCString() });
    assert.equal(parseRateLimit(headers, { now: now + 3_600_000, date: headers.get('date') })?.resetMs, 30_000);
  });

  it('reads Fetch Headers', () => {
    const headers = new Headers({ RateLimit: '"default";r=1;t=2' });
    assert.equal(parseRateLimit(headers)?.remaining, 1);
  });

  it('never throws', () => {
    fc.assert(
      fc.property(anyString, anyString, anyString, (a, b, c) => {
        parseRateLimit({ RateLimit: a, 'RateLimit-Policy': b, 'X-RateLimit-Reset': c }, { now });
      }),
      { numRuns: 3000 },
    );
  });
});
