import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient, INVALID_ARGUMENT } from '../../src/client/index.ts';

describe('options are checked when the client is made', () => {
  const invalid: Array<[string, Record<string, unknown>, RegExp]> = [
    ['baseUrl', { baseUrl: 'not a url' }, /baseUrl must be an absolute URL/],
    ['retry', { retry: -1 }, /retry must be a whole number/],
    ['retry.limit', { retry: { limit: 1.5 } }, /retry.limit/],
    ['retry.unknown', { retry: { limt: 3 } }, /retry.limt is not an option/],
    ['retry.onLongRetryAfter', { retry: { onLongRetryAfter: 'sometimes' } }, /onLongRetryAfter/],
    ['timeout', { timeout: -5 }, /timeout must be a positive number/],
    ['timeout.attempt', { timeout: { attempt: 'soon' } }, /timeout.attempt/],
    ['fetch', { fetch: 'fetch' }, /fetch must be a function/],
    ['auth', { auth: 'Bearer x' }, /auth must be a strategy/],
    [
      'redirect.trustedOrigins',
      { redirect: { trustedOrigins: ['https://a.example/path'] } },
      /trustedOrigins entries must be origins/,
    ],
    ['redirect.trustedOrigins (not a list)', { redirect: { trustedOrigins: 42 } }, /trustedOrigins must be a list/],
    [
      'redirect.trustedOrigins (one origin, not a list)',
      { redirect: { trustedOrigins: 'https://auth.example' } },
      /trustedOrigins must be a list/,
    ],
    ['redirect.secretHeaders (not a list)', { redirect: { secretHeaders: 7 } }, /secretHeaders must be a list/],
    [
      'redirect.secretHeaders (one name, not a list)',
      { redirect: { secretHeaders: 'X-Api-Token' } },
      /secretHeaders must be a list/,
    ],
    [
      'redirect.secretHeaders (not a header name)',
      { redirect: { secretHeaders: ['X Api Token'] } },
      /secretHeaders entries must be header names/,
    ],
    ['redirect.follow', { redirect: { follow: 'yes' } }, /redirect.follow must be a boolean/],
    ['cookies', { cookies: 'yes' }, /cookies must be/],
    ['onRetry', { onRetry: 42 }, /onRetry must be a function/],
    ['throwHttpErrors', { throwHttpErrors: 'no' }, /throwHttpErrors must be a boolean/],
    ['headers', { headers: { 'bad header': 'x' } }, /headers are not valid/],
  ];
  for (const [name, options, message] of invalid) {
    it(`refuses a bad ${name} with a coded TypeError naming it`, () => {
      assert.throws(
        () => createClient(options as never),
        (error: unknown) => {
          assert.ok(error instanceof TypeError);
          assert.equal((error as { code?: string }).code, INVALID_ARGUMENT);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});
