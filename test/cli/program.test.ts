/**
 * Every command has its own help: `gatehouse <command> --help`, `-h` and `gatehouse help
 * <command>` print the same text on stdout and exit 0, and that text names every option the
 * command takes, with examples. docs/cli.md is generated from it, so it must not depend on the
 * terminal either.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatehouseSync } from '../support/cli.ts';
import { gatehouseAtTerminal } from '../support/terminal.ts';

const gatehouse = (...args: string[]) => gatehouseSync(args, { timeoutMs: 60_000 });

/** Each command, and the options it takes: each must be in its help. */
const COMMANDS: ReadonlyArray<readonly [command: string, options: readonly string[]]> = [
  ['demo', ['--json']],
  [
    'serve',
    [
      '--port',
      '--host',
      '--store',
      '--seed-demo',
      '--redis',
      '--namespace',
      '--refresh-grace',
      '--cors-origin',
      '--allowed-host',
      '--issuer',
    ],
  ],
  [
    'doctor',
    [
      '-X, --request',
      '-H, --header',
      '--bearer',
      '--basic',
      '-d, --data',
      '--curl',
      '--har',
      '--replay',
      '--origin',
      '--key',
      '--jwks',
      '--issuer',
      '--timeout',
      '--json',
      '--markdown',
    ],
  ],
  ['token inspect', ['--date', '--key', '--jwks', '--issuer', '--json']],
  ['users add', ['--scope', '--role', '--store']],
  ['users list', ['--store']],
  ['users remove', ['--store']],
  ['users passwd', ['--store']],
  ['users revoke-sessions', ['--store']],
  ['keys create', ['--id', '--scope', '--role', '--expires', '--prefix', '--store']],
  ['keys list', ['--store']],
  ['keys revoke', ['--store']],
  ['keys rotate', ['--overlap', '--prefix', '--store']],
  ['clients add', ['--grant', '--redirect-uri', '--scope', '--name', '--public', '--store']],
  ['clients list', ['--store']],
  ['clients remove', ['--store']],
];

describe('help per command', () => {
  for (const [command, options] of COMMANDS) {
    it(`gatehouse ${command}: --help, -h and help ${command} print its own help, every option, examples`, () => {
      const words = command.split(' ');
      const help = gatehouse(...words, '--help');
      assert.equal(help.code, 0, help.stderr);
      assert.equal(help.stderr, '');
      assert.match(help.stdout, new RegExp(`^Usage: gatehouse ${command} `));
      assert.deepEqual(gatehouse(...words, '-h'), help);
      assert.deepEqual(gatehouse('help', ...words), help);
      const listed = help.stdout.slice(help.stdout.indexOf('\nOptions:\n'));
      for (const option of options)
        assert.match(listed, new RegExp(`^ {2}${option}\\b.* {2}\\S`, 'm'), `${command} ${option}`);
      assert.match(listed, /^ {2}-h, --help +show this help$/m);
      assert.match(help.stdout, /\nExamples:\n {2}\$ gatehouse /);
      // Nothing the library does not define: every listed option is one the command was built with.
      const documented = [...listed.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]);
      assert.deepEqual(
        documented.filter((o) => o !== '--help').sort(),
        options.map((o) => o.replace(/^-\w, /, '')).sort(),
      );
    });
  }

  it('a group of commands lists them, each with a summary; its subcommands have help of their own', () => {
    for (const [group, members] of [
      ['users', ['add', 'list', 'remove', 'passwd', 'revoke-sessions']],
      ['keys', ['create', 'list', 'revoke', 'rotate']],
      ['clients', ['add', 'list', 'remove']],
      ['token', ['inspect']],
    ] as const) {
      const help = gatehouse(group, '--help');
      assert.equal(help.code, 0);
      assert.deepEqual(gatehouse('help', group), help);
      for (const member of members) assert.match(help.stdout, new RegExp(`^ {2}${member}\\b.* {2}[a-z]`, 'm'), member);
      // commander's own help command, one level down.
      assert.deepEqual(gatehouse(group, 'help', members[0]), gatehouse(group, members[0], '--help'));
    }
  });

  it('reads the same on a narrow terminal as on a pipe: laid out for 100 columns, no colour', async () => {
    const piped = gatehouse('doctor', '--help');
    const atTerminal = await gatehouseAtTerminal(['doctor', '--help'], '', '');
    assert.equal(atTerminal.code, 0);
    assert.equal(atTerminal.shown, piped.stdout);
    assert.ok(piped.stdout.split('\n').every((line) => line.length <= 100 || line.startsWith('  $ ')));
  });

  it("help after --, in the doctor, is curl's word, not a request for help", () => {
    const result = gatehouse('doctor', '--', 'curl', '--help');
    assert.equal(result.code, 64);
    assert.match(result.stderr, /^gatehouse doctor --curl: /);
  });
});
