/** Gatehouse servers in processes of their own, as a fleet runs them. */
import { type ChildProcess, spawn } from 'node:child_process';

/** A server process and the URL it printed. */
export interface Instance {
  url: string;
  child: ChildProcess;
}

/**
 * Runs `node script ...args` (the CLI's `serve`, or support/instance.ts) and resolves once the
 * process printed `listening on <url>`; rejects with what it printed if it exits first. Its
 * stderr goes to the test's own, so a crash is seen in the test output.
 */
export function spawnInstance(script: string, ...args: string[]): Promise<Instance> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve({ url: match[1]!, child });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${out}`)));
  });
}
