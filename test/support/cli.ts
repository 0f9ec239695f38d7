/** Runs the gatehouse CLI from source in a child process, as a user would, and collects what it printed. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const main = join(import.meta.dirname, '../../src/cli/main.ts');

/** The CLI as a child process; async, so a loopback server in the test's own process keeps answering. */
export function gatehouse(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return gatehouseWith({}, ...args);
}

/** The same, with `env` added to this process's environment. */
export function gatehouseWith(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The same, synchronously, for a test that needs no server of its own in this process: `input` is
 * written to stdin, `env` is added to this process's environment, and the run is killed after
 * `timeoutMs` (none unless told), in the folder `cwd` (this process's unless told).
 */
export function gatehouseSync(
  args: string[],
  options: { input?: string; env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {},
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [main, ...args], {
    encoding: 'utf8',
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A new SQLite store in a folder of its own, for the commands that manage one: its `--store` URL and its file. */
export function newStore(): { url: string; file: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'gh-cli-')), 'gatehouse.db');
  return { url: `sqlite:${file}`, file };
}

/** The CLI, synchronously, on the store `store` (`--store` after `args`), with `input` on stdin. */
export function gatehouseOn(store: string, args: string[], input = '') {
  return gatehouseSync([...args, '--store', store], { input });
}

/**
 * The CLI with its standard output closed as soon as it starts, as `gatehouse … | true` leaves it:
 * its first write fails with EPIPE. `input` is written to stdin.
 */
export function gatehouseWithClosedStdout(
  args: string[],
  input: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdin.end(input);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

/** Preloaded with `faultyStdout()`, a run's writes to stdout throw, as a bug in gatehouse would. */
const FAULT = join(import.meta.dirname, 'cli-fault.ts');

/**
 * The environment that makes the CLI's writes to stdout throw: an uncoded TypeError (a bug), or
 * with `code` an error carrying that code (a failure the library explained).
 */
export function faultyStdout(code?: string): Record<string, string> {
  return { NODE_OPTIONS: `--import=${FAULT}`, GATEHOUSE_TEST_FAULT: code ?? '' };
}
