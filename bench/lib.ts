/** Running the benchmark's processes: each server, client and load generator is a process of its own. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const WORKERS = join(import.meta.dirname, 'workers');

export interface Started {
  child: ChildProcess;
  /** The first line the process printed (its port, for servers). */
  line: string;
  stop(): Promise<void>;
}

/** Starts a long-running worker and waits for its first line of output. */
export function start(worker: string, args: string[] = []): Promise<Started> {
  const child = spawn(process.execPath, [join(WORKERS, worker), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
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

/** Runs a worker to its end and parses the JSON it prints. */
export function run<T>(file: string, args: string[] = [], cwd?: string): Promise<T> {
  const child = spawn(process.execPath, [file, ...args], {
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
