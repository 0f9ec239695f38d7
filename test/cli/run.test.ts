import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatehouseSync } from '../support/cli.ts';

const gatehouse = (...args: string[]) => gatehouseSync(args, { env: { FORCE_COLOR: '1' }, timeoutMs: 60_000 });

describe('gatehouse CLI', () => {
  it('prints its version and its usage', () => {
    const { code, stdout } = gatehouse('--version');
    assert.equal(code, 0);
    assert.match(stdout, /^\d+\.\d+\.\d+\n$/);
    assert.match(gatehouse('help').stdout, /gatehouse serve \[--port 0\]/);
  });

  it('answers bad usage with exit 64 and the usage text on stderr', () => {
    for (const args of [['frobnicate'], ['demo', '--nope'], ['demo', 'extra'], [], ['serve', '--port', 'eighty']]) {
      const { code, stderr } = gatehouse(...args);
      assert.equal(code, 64, args.join(' '));
      assert.match(stderr, /Usage: gatehouse <command>/);
    }
  });
});
