/**
 * `gatehouse` as a whole: its version, its overview help, and how any run ends — at most one
 * line on stderr and an exit code, never the whole usage, never a stack trace.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatehouseSync } from '../support/cli.ts';

const gatehouse = (...args: string[]) => gatehouseSync(args, { env: { FORCE_COLOR: '1' }, timeoutMs: 60_000 });

/** One line on stderr that names the command, says what is wrong, and points at that command's --help. */
const usageLine = (command: string) =>
  new RegExp(
    `^gatehouse${command ? ` ${command}` : ''}: [^\\n]+ \\(gatehouse${command ? ` ${command}` : ''} --help shows the usage\\)\\n$`,
  );

describe('gatehouse CLI', () => {
  it('prints its version and its usage', () => {
    for (const args of [['--version'], ['-v'], ['version']]) {
      const { code, stdout, stderr } = gatehouse(...args);
      assert.equal(code, 0, args.join(' '));
      assert.match(stdout, /^\d+\.\d+\.\d+\n$/);
      assert.equal(stderr, '');
    }
    const help = gatehouse('help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: gatehouse <command> \[options\]\n/);
    assert.match(help.stdout, /^ {2}serve \[options\] +the playground/m);
    assert.equal(help.stderr, '');
  });

  it('gatehouse --help, -h and help print the same overview on stdout: every command, every exit code', () => {
    const overview = gatehouse('--help');
    assert.equal(overview.code, 0);
    assert.equal(overview.stderr, '');
    assert.deepEqual(gatehouse('-h'), overview);
    assert.deepEqual(gatehouse('help'), overview);
    for (const command of ['demo', 'serve', 'doctor', 'token', 'users', 'keys', 'clients', 'version', 'help'])
      assert.match(overview.stdout, new RegExp(`^ {2}${command}\\b.* {2}\\S`, 'm'), command);
    const codes = overview.stdout.slice(overview.stdout.indexOf('Exit codes:'));
    for (const [code, meaning] of [
      ['0', /it worked/],
      ['1', /a problem was found/],
      ['2', /the doctor found no cause that fits, or got no answer \(unreachable\)/],
      ['64', /bad usage/],
      ['70', /an internal error/],
      ['130', /interrupted/],
    ] as const)
      assert.match(codes, new RegExp(`^ {2}${code} +${meaning.source}`, 'm'), code);
    assert.match(overview.stdout, /`gatehouse help <command>` or `gatehouse <command> --help`/);
  });

  it('answers bad usage with exit 64 and one line on stderr that points at --help, never the usage text', () => {
    for (const [args, command] of [
      [['frobnicate'], ''],
      [[], ''],
      [['demo', '--nope'], 'demo'],
      [['demo', 'extra'], 'demo'],
      [['serve', '--port', 'eighty'], 'serve'],
      [['users'], 'users'],
      [['users', 'add'], 'users add'],
      [['token'], 'token'],
      [['keys', 'list', '--id', 'x'], 'keys list'],
    ] as const) {
      const { code, stdout, stderr } = gatehouse(...args);
      assert.equal(code, 64, args.join(' '));
      assert.match(stderr, usageLine(command), args.join(' '));
      assert.doesNotMatch(stderr, /Usage:|Commands:|\n\s+at /);
      assert.equal(stdout, '');
    }
  });

  it('says what is missing: the command, or the action of a group of commands', () => {
    assert.match(
      gatehouse().stderr,
      /^gatehouse: a command is needed: demo, serve, doctor, token, users, keys, clients, version or help /,
    );
    assert.match(
      gatehouse('users').stderr,
      /^gatehouse users: a command is needed: add, list, remove, passwd, revoke-sessions or help /,
    );
    assert.match(gatehouse('users', 'add').stderr, /^gatehouse users add: <username> is missing /);
    assert.match(
      gatehouse('users', 'add', 'x', '--store').stderr,
      /^gatehouse users add: --store <url> needs a value /,
    );
  });

  it('an unknown command is not repeated (it may be a token that lost its command), but a near name is suggested', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2VjcmV0LXNpZ25hdHVyZQ';
    for (const args of [[jwt], ['token', jwt], ['users', 'hunter2-is-my-password']]) {
      const { code, stderr } = gatehouse(...args);
      assert.equal(code, 64);
      assert.match(stderr, /: an unknown command, not one of /);
      assert.ok(!stderr.includes(args.at(-1)!), stderr);
    }
    assert.match(gatehouse('docter').stderr, /^gatehouse: an unknown command, not one of .*; did you mean doctor\? /);
  });
});
