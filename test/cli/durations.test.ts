/**
 * Durations (`--expires`, `--overlap`) as operators type them: 90d, 12h, 30m, 45s. Anything else is
 * refused before the store is opened; an expiry of 0 is refused too, where it meant "never expires".
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gatehouseOn, newStore } from '../support/cli.ts';

describe('durations', () => {
  for (const value of ['0d', '0s', '-1d', 'soon', '1.5d', '90', '']) {
    it(`keys create --expires ${JSON.stringify(value)}: 64, in one line, nothing created`, () => {
      const { url, file } = newStore();
      const { code, stdout, stderr } = gatehouseOn(url, ['keys', 'create', '--id', 'svc', `--expires=${value}`]);
      assert.equal(code, 64, stderr);
      assert.equal(stdout, '');
      assert.equal(
        stderr,
        'gatehouse keys create: --expires takes a duration above 0, such as 90d, 12h or 30m (gatehouse keys create --help shows the usage)\n',
      );
      assert.ok(!existsSync(file), 'no store was created');
    });
  }

  it('keys rotate --overlap: garbage is refused; 0s ends the old key at once', () => {
    const { url } = newStore();
    const bad = gatehouseOn(url, ['keys', 'rotate', 'abc', '--overlap', 'a-week']);
    assert.equal(bad.code, 64);
    assert.match(bad.stderr, /^gatehouse keys rotate: --overlap takes a duration, such as 90d, 12h or 30m /);
    const created = gatehouseOn(url, ['keys', 'create', '--id', 'svc', '--expires', '90d']);
    const keyId = /^key ([a-z0-9]{12}) /.exec(created.stdout)![1]!;
    assert.equal(gatehouseOn(url, ['keys', 'rotate', keyId, '--overlap', '0s']).code, 0);
    const listed = gatehouseOn(url, ['keys', 'list']).stdout;
    const expires = new RegExp(`^${keyId} +svc +(\\S+) +active`, 'm').exec(listed)![1]!;
    assert.ok(Math.abs(Date.parse(expires) - Date.now()) < 60_000, listed);
  });
});
