#!/usr/bin/env node
// The `gatehouse` executable. It checks the Node version before it loads anything: the rest of the
// CLI needs what older versions lack (node:sqlite, argon2 in node:crypto) and would die there with
// a stack trace, not a sentence. So this file imports nothing statically, and its syntax stays
// within what old versions parse; everything the CLI does lives in run.ts, which tests call directly.

/** package.json's `engines.node`, `>=22.13` (test/cli/main.test.ts holds the two equal). */
const NEEDED = { major: 22, minor: 13 };

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < NEEDED.major || (major === NEEDED.major && minor < NEEDED.minor)) {
  process.stderr.write(
    `gatehouse needs Node.js ${NEEDED.major}.${NEEDED.minor} or newer; this is Node.js ${process.versions.node}.\n`,
  );
  // sysexits EX_UNAVAILABLE: not a finding (1, 2) nor a usage error (64) of the command.
  process.exitCode = 69;
} else {
  const { run } = await import('./run.ts');
  process.exitCode = await run(process.argv.slice(2));
}
