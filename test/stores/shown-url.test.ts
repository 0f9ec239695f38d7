/**
 * shownUrl masks every place a store or Redis URL carries a password: the userinfo's password,
 * a Redis URL's lone userinfo (ioredis reads `redis://SECRET@host` as the password), and a
 * `password` query parameter (pg and ioredis both read one).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shownUrl } from '../../src/stores/shown-url.ts';

describe('shownUrl', () => {
  for (const url of [
    'postgres://u@127.0.0.1:5432/db?password=SECRET',
    'postgres://u@127.0.0.1:5432/db?sslmode=disable&PASSWORD=SECRET',
    'redis://127.0.0.1:6379/0?password=SECRET',
    'redis://SECRET@127.0.0.1:6379',
    'rediss://SECRET@127.0.0.1:6379',
    'redis://:SECRET@127.0.0.1:6379',
    'postgres://u:SECRET@127.0.0.1:5432/db',
    'postgres://u:SECRET@127.0.0.1:99999/db',
    'redis://SECRET@127.0.0.1:99999',
  ]) {
    it(`${url.replace('SECRET', '…')}: the secret is not shown`, () => {
      const shown = shownUrl(url);
      assert.ok(!shown.includes('SECRET'), shown);
      assert.match(shown, /127\.0\.0\.1/);
    });
  }

  it('keeps what is no secret: a Postgres user, the host, the database and other parameters', () => {
    assert.equal(shownUrl('postgres://u@h:5432/db?sslmode=disable'), 'postgres://u@h:5432/db?sslmode=disable');
    assert.equal(shownUrl('sqlite:./x.db'), 'sqlite:./x.db');
  });
});
