/**
 * A run that throws ends in one line and an exit code, never a stack trace: a failure the library
 * explained (a coded error) in its own words, exit 1; anything else as an internal error, exit
 * 70, its stack only with GATEHOUSE_DEBUG=1. The fault is made by a preload (support/cli-fault.ts)
 * that makes every write to stdout throw.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { ending } from '../../src/cli/failure.ts';
import { MissingPeerError } from '../../src/stores/missing-peer-error.ts';
import { faultyStdout, gatehouseSync } from '../support/cli.ts';

const MARKER = 'fault-marker-7f3a';

describe('how a run that threw ends', () => {
  it('an error nobody expected: exit 70, one line naming it an internal error, no stack, no message', () => {
    const { code, stdout, stderr } = gatehouseSync(['version'], { env: faultyStdout() });
    assert.equal(code, 70, stderr);
    assert.equal(stdout, '');
    assert.equal(
      stderr,
      'gatehouse version: internal error (TypeError), a bug in gatehouse: please report it; GATEHOUSE_DEBUG=1 shows the stack trace\n',
    );
  });

  it('GATEHOUSE_DEBUG=1 adds the stack trace, with the message', () => {
    const { code, stderr } = gatehouseSync(['version'], { env: { ...faultyStdout(), GATEHOUSE_DEBUG: '1' } });
    assert.equal(code, 70);
    const [line, ...stack] = stderr.trimEnd().split('\n');
    assert.match(line!, /^gatehouse version: internal error \(TypeError\)/);
    assert.equal(stack[0], `TypeError: ${MARKER}: not a real bug`);
    assert.match(stack[1]!, /^\s+at /);
  });

  it('a coded error is a failure the library explained: its message in one line, exit 1', () => {
    const { code, stderr } = gatehouseSync(['version'], { env: faultyStdout('ERR_SOMETHING_KNOWN') });
    assert.equal(code, 1);
    assert.equal(stderr, 'gatehouse version: the fault explained itself\n');
  });

  it('an optional package that is not installed: one line that says to npm install it, exit 69', () => {
    const add = new Command('gatehouse').command('users').command('add');
    const missing = new MissingPeerError('pg', 'a postgres:// store', new Error("Cannot find package 'pg'"));
    assert.deepEqual(ending(missing, add), {
      code: 69,
      line: 'gatehouse users add: a postgres:// store needs the package pg, an optional peer dependency that is not installed: npm install pg',
    });
  });
});
