/** `gatehouse serve` in a process of its own, with everything it prints kept, for tests of what it logs. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const main = join(import.meta.dirname, '../../src/cli/main.ts');

export interface Served {
  child: ChildProcess;
  /** Its stdout and stderr so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with its exit code. */
  exited: Promise<number | null>;
  /** Resolves with the playground's URL once it printed it; rejects if it exits first. */
  listening: Promise<string>;
  stop(): Promise<number | null>;
}

export function serve(...args: string[]): Served {
  const child = spawn(process.execPath, [main, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stdout}${stderr}`)));
  });
  listening.catch(() => {});
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    listening,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
