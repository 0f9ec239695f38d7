/**
 * Load against a guarded route: autocannon in a process of its own, the server in another.
 * Reports requests, errors, p99 latency and the server's memory after warm-up and at the end.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface LoadReport {
  connections: number;
  seconds: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p99Ms: number;
  rssAfterWarmupMb: number;
  rssAtEndMb: number;
  rssGrowth: number;
  /** Counted by the server once the run is over: requests that reached the route, those it answered, and those whose client left first. */
  received: number;
  answered: number;
  abandoned: number;
}

function runNode(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
  });
}

/** `timeoutSeconds`: autocannon's per-request limit; keep it below the run's length, or a stalled request is never counted. */
export async function load(
  connections: number,
  seconds: number,
  warmupSeconds: number,
  timeoutSeconds = 10,
  options: {
    /** The baseline: the same route on plain node:http, without the guard. */
    plain?: boolean;
    /** Requests per second across all connections (autocannon -R); unset, as fast as the server answers. */
    rate?: number;
  } = {},
): Promise<LoadReport> {
  const args = [join(import.meta.dirname, 'load-server.ts'), ...(options.plain ? ['--plain'] : [])];
  const server = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { port, authorization } = await new Promise<{ port: number; authorization: string }>((resolve) => {
    server.stdout.once('data', (chunk) => resolve(JSON.parse(String(chunk))));
  });
  const autocannon = join(import.meta.dirname, '../../node_modules/autocannon/autocannon.js');
  const url = `http://127.0.0.1:${port}/`;
  const rss = async () => Number(await (await fetch(`${url}__rss`)).text()) / 2 ** 20;
  try {
    // One continuous run: the server's memory is sampled once warm, and again just before the end,
    // on the same connections (a second run would open a thousand new sockets and measure those).
    const running = runNode([
      autocannon,
      '-c',
      String(connections),
      '-d',
      String(warmupSeconds + seconds),
      '-t',
      String(timeoutSeconds),
      ...(options.rate ? ['-R', String(options.rate)] : []),
      '-H',
      `authorization=${authorization}`,
      '-j',
      url,
    ]);
    await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
    const rssAfterWarmupMb = await rss();
    await new Promise((r) => setTimeout(r, Math.max(0, seconds - 1) * 1000));
    const rssAtEndMb = await rss();
    const report = JSON.parse(await running) as {
      requests: { total: number };
      non2xx: number;
      errors: number;
      timeouts: number;
      latency: { p99: number };
    };
    // In-flight requests finish within a moment of autocannon stopping.
    await new Promise((r) => setTimeout(r, 500));
    const stats = JSON.parse(await (await fetch(`${url}__stats`)).text()) as {
      received: number;
      answered: number;
      abandoned: number;
    };
    return {
      connections,
      seconds: warmupSeconds + seconds,
      requests: report.requests.total,
      non2xx: report.non2xx,
      errors: report.errors,
      timeouts: report.timeouts,
      p99Ms: report.latency.p99,
      rssAfterWarmupMb: Math.round(rssAfterWarmupMb),
      rssAtEndMb: Math.round(rssAtEndMb),
      rssGrowth: Math.round(((rssAtEndMb - rssAfterWarmupMb) / rssAfterWarmupMb) * 1000) / 1000,
      received: stats.received,
      answered: stats.answered,
      abandoned: stats.abandoned,
    };
  } finally {
    server.kill('SIGTERM');
  }
}
