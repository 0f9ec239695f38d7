/** Running the benchmark's processes: each server, client and load generator is a process of its own. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';

export const WORKERS = join(import.meta.dirname, 'workers');

/**
 * The cores a process under measurement and its load generator are kept to, where Linux's taskset
 * is there and there are two cores or more: the server (or the client) on one, what loads it on
 * the other. Two processes sharing a core make each other's CPU per request vary by a third from
 * round to round (fewer requests per wake-up when the other holds the core); kept apart, each
 * process's figure is its own work. Undefined where processes cannot be pinned: they run where
 * the scheduler puts them, as before.
 */
export const CORES: { measured: number; load: number } | undefined =
  cpus().length >= 2 && spawnSync('taskset', ['--version']).status === 0 ? { measured: 1, load: 0 } : undefined;

/** The command that runs `args` with node, on `core` when cores can be chosen (taskset execs node: the pid is node's). */
function nodeCommand(args: string[], core: number | undefined): [string, string[]] {
  return core === undefined || CORES === undefined
    ? [process.execPath, args]
    : ['taskset', ['-c', String(core), process.execPath, ...args]];
}

export interface Started {
  child: ChildProcess;
  /** The first line the process printed (its port, for servers). */
  line: string;
  stop(): Promise<void>;
}

/** Starts a long-running worker and waits for its first line of output; on `core` where CORES says one can be chosen. */
export function start(worker: string, args: string[] = [], core?: number): Promise<Started> {
  const [command, argv] = nodeCommand([join(WORKERS, worker), ...args], core);
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const newline = out.indexOf('\n');
      if (newline >= 0) {
        resolve({
          child,
          line: out.slice(0, newline),
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`${worker} exited with ${code} before it was ready`)));
  });
}

/** Runs a worker to its end and parses the JSON it prints; on `core` where CORES says one can be chosen. */
export function run<T>(file: string, args: string[] = [], cwd?: string, core?: number): Promise<T> {
  const [command, argv] = nodeCommand([file, ...args], core);
  const child = spawn(command, argv, {
    stdio: ['ignore', 'pipe', 'inherit'],
    ...(cwd ? { cwd } : {}),
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
    });
    child.once('exit', (code) => {
      try {
        resolve(JSON.parse(out) as T);
      } catch {
        reject(new Error(`${file} ${args.join(' ')} exited ${code} without JSON: ${out.slice(0, 300)}`));
      }
    });
  });
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  rounds: number[];
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const round = (n: number) => Math.round(n * 10) / 10;
  return { median: round(median), min: round(sorted[0]!), max: round(sorted.at(-1)!), rounds: values.map(round) };
}

/** Progress on a terminal only, on stderr. */
export function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\u001b[2K${text}`);
}
