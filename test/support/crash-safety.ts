/**
 * Two processes refresh through one token file while they are killed with SIGKILL at random
 * moments. After every kill the file must parse, keep mode 0600, and hold a refresh token the
 * server still honours (the newest, or the one before it when a kill fell between the server's
 * answer and the write), so the chain of refresh tokens is never lost.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { json, startServer } from './server.ts';

export interface CrashReport {
  kills: number;
  refreshes: number;
  problems: string[];
}

export async function crashSafety(kills: number): Promise<CrashReport> {
  // The server issues rt-1, rt-2, …; the previous token stays valid until its successor is used
  // (RFC 9700 §4.14.2 leaves that window to the server), so an answer lost in a crash loses nothing.
  let latest = 0;
  let refreshes = 0;
  let progress: { target: number; resolve: () => void } | undefined;
  const server = await startServer((_req, res, body) => {
    const presented = new URLSearchParams(body.toString()).get('refresh_token') ?? '';
    const n = Number(presented.replace('rt-', ''));
    if (n !== latest && n !== latest - 1) return json(res, 400, { error: 'invalid_grant' });
    if (n === latest) latest++;
    refreshes++;
    if (progress && refreshes >= progress.target) progress.resolve();
    json(res, 200, { access_token: `at-${latest}-${refreshes}`, refresh_token: `rt-${latest}`, expires_in: 3600 });
  });
  const dir = mkdtempSync(join(tmpdir(), 'gh-crash-'));
  const file = join(dir, 'tokens.json');
  const worker = join(import.meta.dirname, 'crash-worker.ts');
  const problems: string[] = [];
  const untilRefreshes = (target: number, kill: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        problems.push(`kill ${kill}: no refresh reached the server in 30 s`);
        resolve();
      }, 30_000);
      progress = {
        target,
        resolve: () => {
          clearTimeout(timer);
          progress = undefined;
          resolve();
        },
      };
    });
  const startWorker = () =>
    new Promise<ChildProcess>((resolve) => {
      const child = spawn(process.execPath, [worker, file, `${server.origin}/token`], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      child.stdout!.once('data', () => resolve(child));
    });
  try {
    for (let kill = 0; kill < kills; kill++) {
      const workers = await Promise.all([startWorker(), startWorker()]);
      // Kill after the workers have made progress (one to four more refreshes), then a random few
      // milliseconds more, so the kill lands anywhere in a refresh-and-write cycle however slow
      // the machine is; a fixed sleep killed before the first refresh on a loaded CI machine.
      await untilRefreshes(refreshes + 1 + Math.floor(Math.random() * 4), kill);
      await new Promise((r) => setTimeout(r, Math.random() * 15));
      const victims = Math.random() < 0.5 ? workers : [workers[Math.floor(Math.random() * 2)]!];
      for (const child of victims) child.kill('SIGKILL');
      for (const child of workers) if (!victims.includes(child)) child.kill('SIGKILL');
      await Promise.all(
        workers.map((child) =>
          child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((r) => child.once('exit', r)),
        ),
      );
      let stored: string | undefined;
      // Killed before the first refresh came back: no file yet, and nothing to lose.
      if (latest <= 1 && !existsSync(file)) continue;
      try {
        const parsed = JSON.parse(readFileSync(file, 'utf8')) as { tokens: Record<string, { refreshToken?: string }> };
        stored = Object.values(parsed.tokens)[0]?.refreshToken;
      } catch (error) {
        problems.push(`kill ${kill}: the file does not parse (${(error as Error).message})`);
        continue;
      }
      const mode = statSync(file).mode & 0o777;
      if (mode !== 0o600) problems.push(`kill ${kill}: mode ${mode.toString(8)}`);
      const n = Number(String(stored).replace('rt-', ''));
      if (stored !== undefined && n !== latest && n !== latest - 1)
        problems.push(`kill ${kill}: the file holds ${stored}, the server is at rt-${latest}`);
    }
  } finally {
    await server.close();
  }
  return { kills, refreshes, problems };
}
