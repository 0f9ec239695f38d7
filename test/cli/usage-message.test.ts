/**
 * What commander finds wrong, said in one line that repeats nothing typed that may be a secret:
 * an unknown option's name (and only its name), never a stray argument.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatehouseSync } from '../support/cli.ts';

const SECRET = 's3cret-Passw0rd-9f8e7d6c';
const gatehouse = (...args: string[]) => gatehouseSync(args, { timeoutMs: 60_000 });

describe('usage messages', () => {
  it('an unknown option is named when it is one, and only by its name, with the option that was meant', () => {
    for (const [args, said] of [
      [['demo', '--nope'], "unknown option '--nope'"],
      [['demo', '--jsn'], "unknown option '--jsn'; did you mean --json?"],
      [['doctor', 'http://127.0.0.1:9/', `--bearr=${SECRET}`], "unknown option '--bearr'"],
      [['users', 'list', `-p${SECRET}`], "unknown option '-p'"],
      [['users', 'list', `--${SECRET}`], `unknown option '--${SECRET}'`],
    ] as const) {
      const { code, stderr } = gatehouse(...args);
      assert.equal(code, 64, args.join(' '));
      assert.equal(
        stderr
          .split('\n')[0]!
          .replace(/^gatehouse [\w ]+: /, '')
          .replace(/ \(gatehouse .*$/, ''),
        said,
      );
      if (!said.includes(SECRET)) assert.ok(!stderr.includes(SECRET), stderr);
    }
  });

  it('a word after a lone dash is no option name: not repeated', () => {
    const { code, stderr } = gatehouse('users', 'list', `--=${SECRET}`);
    assert.equal(code, 64);
    assert.match(stderr, /^gatehouse users list: an unknown option \(gatehouse users list --help shows the usage\)\n$/);
  });

  it('a stray argument is "an unexpected argument", never quoted', () => {
    for (const args of [
      ['demo', SECRET],
      ['users', 'list', SECRET],
      ['keys', 'revoke', 'abc', SECRET],
      ['clients', 'remove', 'app', SECRET],
    ]) {
      const { code, stderr } = gatehouse(...args);
      assert.equal(code, 64, args.join(' '));
      const command = args.slice(0, args[0] === 'demo' ? 1 : 2).join(' ');
      assert.equal(
        stderr,
        `gatehouse ${command}: an unexpected argument (gatehouse ${command} --help shows the usage)\n`,
      );
    }
  });
});
