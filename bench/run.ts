/**
 * `npm run bench [-- --quick]`: Gatehouse side by side with what people would pick instead,
 * measured on this machine in this run. Servers, clients and load generators are separate
 * processes on loopback. Every claim is a ratio within one run; absolute numbers do not
 * compare across machines or runs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, totalmem } from 'node:os';
import { join } from 'node:path';
import { CLIENTS, clientFigures, clientTargets } from './client.ts';
import { costsSection, featureCosts } from './costs.ts';
import { inProcessCost, inProcessSection, inProcessTargets } from './in-process.ts';
import { CORES, progress, run, type Spread, spread, start, WORKERS } from './lib.ts';
import { serverCpuAdded, serverCpuTargets } from './server-cpu.ts';

const quick = process.argv.includes('--quick');
// `--only client` (section 1), `--only server` (section 4 over sockets), `--only rateLimit` (the
// rate-limit storms), `--only costs` (DPoP, introspection and pacing, each beside what it adds to;
// `dpop` is its older name) or `--only inProcess` (the server routes without a socket): run that
// part alone and merge its figures into the last results.
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (only !== undefined && !['client', 'server', 'rateLimit', 'costs', 'dpop', 'inProcess'].includes(only))
  throw new Error(
    'bench: --only takes client (client overhead), server (the guards over sockets), rateLimit (the rate-limit storms), costs (DPoP, introspection, pacing) or inProcess (the server routes without a socket)',
  );
const ROUNDS = quick ? 2 : 5;
const CLIENT_MS = quick ? 700 : 5000;
const SERVER_SECONDS = quick ? 1 : 5;
const WARMUP_SECONDS = quick ? 0.5 : 1;
const CONCURRENCY = 32;
const root = join(import.meta.dirname, '..');
const BY_HAND_HEADING = '## Measured by hand';

const results: Record<string, unknown> = {};
const started = Date.now();

async function rounds(label: string, fn: () => Promise<number>): Promise<Spread> {
  const values: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    progress(`${label}: round ${i + 1}/${ROUNDS}`);
    values.push(await fn());
  }
  return spread(values);
}

if (only !== undefined) {
  // The figures of the last full run stay; this part's are measured now (their date is kept apart).
  const previous = JSON.parse(readFileSync(join(import.meta.dirname, 'results.json'), 'utf8'));
  const date = new Date().toISOString();
  const part =
    only === 'client'
      ? { ...(await clientOverhead()), clientDate: date, clientCores: CORES }
      : only === 'server'
        ? { ...(await serverGuard()), serverDate: date, serverCores: CORES }
        : only === 'rateLimit'
          ? { ...(await rateLimitStorms()), rateLimitDate: date }
          : only === 'inProcess'
            ? { ...(await inProcessCost(quick)), inProcessDate: date }
            : // costs.dpop replaces the DPoP figures kept apart before (undefined: left out of the file).
              { costs: await featureCosts(quick), costsDate: date, dpop: undefined, dpopDate: undefined };
  const merged = { ...previous, ...part };
  // Derived from the socket figures kept, not measured now.
  if (merged.serverCpuUsPerRequest) merged.serverCpuAddedUs = serverCpuAdded(merged.serverCpuUsPerRequest);
  progress('');
  writeFileSync(join(import.meta.dirname, 'results.json'), `${JSON.stringify(merged, null, 2)}\n`);
  writeFileSync(join(root, 'BENCHMARKS.md'), markdown(merged.machine, merged) + byHand(join(root, 'BENCHMARKS.md')));
  process.stdout.write(`${markdown(merged.machine, merged)}\n`);
  process.exit(0);
}

// 1. Client overhead: requests/s through keep-alive against one fast local server.
async function clientOverhead(): Promise<{ client: unknown }> {
  // The server on one core, the clients on the other (lib.ts, CORES): each client's CPU is its own.
  const fast = await start('fast-server.ts', [], CORES?.load);
  const clientRps: Record<string, Spread> = {};
  // Interleaved by round, so drift on a shared machine hits every client alike.
  const clients = CLIENTS;
  const perClient: Record<string, number[]> = Object.fromEntries(clients.map((c) => [c, []]));
  const clientCpu: Record<string, number[]> = Object.fromEntries(clients.map((c) => [c, []]));
  for (let i = 0; i < ROUNDS; i++) {
    for (const client of clients) {
      progress(`client overhead: ${client}, round ${i + 1}/${ROUNDS}`);
      const { rps, cpuUs } = await run<{ rps: number; cpuUs: number }>(
        join(WORKERS, 'client-load.ts'),
        [client, `http://127.0.0.1:${fast.line}/`, String(CONCURRENCY), String(CLIENT_MS)],
        undefined,
        CORES?.measured,
      );
      perClient[client]!.push(rps);
      clientCpu[client]!.push(cpuUs);
    }
  }
  for (const client of clients) clientRps[client] = spread(perClient[client]!);
  await fast.stop();
  return {
    client: {
      rps: clientRps,
      cpuUsPerRequest: Object.fromEntries(clients.map((c) => [c, spread(clientCpu[c]!)])),
      concurrency: CONCURRENCY,
    },
  };
}

Object.assign(results, await clientOverhead(), { clientCores: CORES });

// 2 and 3 run ROUNDS times each, interleaved across the clients. A round's figures are kept; the
// table shows the worst round for the counts a target is about and the median time.
interface Outcome extends Record<string, number> {
  ms: number;
}
async function storms(
  label: string,
  serverWorker: string,
  clientWorker: string,
  variants: string[],
  serverArgs: string[] = [],
): Promise<Record<string, Outcome[]>> {
  const out: Record<string, Outcome[]> = Object.fromEntries(variants.map((v) => [v, []]));
  // One round in --quick (it must finish in under 3 minutes); ROUNDS in the full run.
  const count = quick ? 1 : ROUNDS;
  for (let i = 0; i < count; i++) {
    for (const variant of variants) {
      progress(`${label}: ${variant}, round ${i + 1}/${count}`);
      const server = await start(serverWorker, serverArgs);
      try {
        out[variant]!.push(
          await run<Outcome>(join(WORKERS, clientWorker), [variant, `http://127.0.0.1:${server.line}`]),
        );
      } finally {
        await server.stop();
      }
    }
  }
  return out;
}
function median(values: number[]): number {
  return spread(values).median;
}
function of(rs: Outcome[], field: string): number[] {
  return rs.map((r) => r[field]!);
}

/** Each client's rounds summed up: the figures `pick` chooses, then the time (median and spread) and the rounds. */
function summary(
  rounds: Record<string, Outcome[]>,
  pick: (rs: Outcome[]) => Record<string, number>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(rounds).map(([variant, rs]) => [
      variant,
      { ...pick(rs), ms: median(of(rs, 'ms')), msSpread: spread(of(rs, 'ms')), rounds: rs },
    ]),
  );
}

// 2. Refresh storm: 1,000 concurrent requests with an expired token.
results['refreshStorm'] = summary(
  await storms('refresh storm', 'storm-server.ts', 'storm-client.ts', ['gatehouse', 'axiosAuthRefresh', 'kyHook']),
  // The most token calls and the fewest successes of any round: a target holds in every round.
  (rs) => ({ tokenCalls: Math.max(...of(rs, 'tokenCalls')), succeeded: Math.min(...of(rs, 'succeeded')) }),
);

// 3. Rate-limit storm: 50 workers, a fixed budget, a fixed amount of work; then the same with a
// server that sends the RateLimit fields on every answer.
async function rateLimitStorms(): Promise<Record<string, unknown>> {
  const limited = ['gatehouse', 'ky', 'got', 'axiosRetry'];
  const pick = (rs: Outcome[]) => ({ sent: median(of(rs, 'sent')), status429: median(of(rs, 'status429')) });
  return {
    rateLimit: summary(await storms('rate-limit storm', 'budget-server.ts', 'budget-client.ts', limited), pick),
    rateLimitWithFields: summary(
      await storms('rate-limit storm, fields', 'budget-server.ts', 'budget-client.ts', limited, ['fields']),
      pick,
    ),
  };
}
Object.assign(results, await rateLimitStorms());

// 4. Server guard: requests/s through each adapter, load from autocannon in its own process.
// Besides requests/s, the server's own CPU time per request (user + system, from /proc on Linux):
// it shows what a configuration costs the server, apart from what the shared cores made of it.
async function autocannon(
  port: number,
  authorization: string,
  seconds: number,
  pid: number | undefined,
): Promise<{ rps: number; cpuUs: number | undefined }> {
  const args = [join(root, 'node_modules/autocannon/autocannon.js'), '-c', '50', '-d', String(seconds), '-j'];
  if (authorization) args.push('-H', `authorization=${authorization}`);
  args.push(`http://127.0.0.1:${port}/`);
  const before = cpuTicks(pid);
  // autocannon on the load core, the servers on the measured one (lib.ts, CORES).
  const report = await run<{ requests: { average: number; total: number }; non2xx: number; errors: number }>(
    args[0]!,
    args.slice(1),
    undefined,
    CORES?.load,
  );
  const after = cpuTicks(pid);
  if (report.non2xx > 0 || report.errors > 0)
    throw new Error(`load against port ${port} got ${report.non2xx} non-2xx and ${report.errors} errors`);
  const cpuUs =
    before === undefined || after === undefined || report.requests.total === 0
      ? undefined
      : ((after - before) * 1e6) / 100 / report.requests.total;
  return { rps: report.requests.average, cpuUs };
}
// Linux counts process CPU time in clock ticks of 1/100 s (USER_HZ), in fields 14 and 15 of /proc/<pid>/stat.
function cpuTicks(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined; // not Linux: requests/s only
  }
}
/** Section 4: every configuration of every framework, its requests/s and its server CPU per request. */
async function serverGuard(): Promise<Record<string, unknown>> {
  const server: Record<string, Record<string, Spread>> = {};
  const serverCpu: Record<string, Record<string, Spread>> = {};
  const configurations: Array<[string, string]> = [
    ...['node', 'fastify', 'hono'].flatMap((f) =>
      ['noAuth', 'noopMiddleware', 'floorJwt', 'jwtHs256', 'jwtEs256', 'basicCached', 'basicUncached'].map(
        (v): [string, string] => [f, v],
      ),
    ),
    ['node', 'spin2us'],
    // One calibration row is enough for a quick look (--quick must finish in under 3 minutes).
    ...(quick ? [] : [['node', 'spin5us'] as [string, string]]),
    ['fastify', 'peerJwt'],
    ['hono', 'jwtHs256Handler'],
    ['hono', 'peerJwt'],
    ['express', 'noAuth'],
    ['express', 'noopMiddleware'],
    ['express', 'floorJwt'],
    ['express', 'jwtHs256'],
    ['express', 'peerJwt'],
  ];
  // Per framework, every configuration's server runs at once (idle unless loaded) and the rounds go
  // round-robin across them, so drift on a shared machine hits each configuration alike, as in 1.
  for (const framework of [...new Set(configurations.map(([f]) => f))]) {
    const variants = configurations.filter(([f]) => f === framework).map(([, v]) => v);
    const targets = await Promise.all(
      variants.map((variant) => start('guard-server.ts', [framework, variant], CORES?.measured)),
    );
    const endpoints = targets.map((t) => JSON.parse(t.line) as { port: number; authorization: string });
    const measured: number[][] = variants.map(() => []);
    const cpuMeasured: number[][] = variants.map(() => []);
    // Uncached argon2id leaves up to 50 hashes queued when the load stops, and they would eat into
    // whichever configuration came next: it is measured after all the others, in rounds of its own.
    const indices = variants.map((_, i) => i);
    const interleaved = indices.filter((i) => variants[i] !== 'basicUncached');
    const last = indices.filter((i) => variants[i] === 'basicUncached');
    const measure = async (i: number, label: string, seconds: number) => {
      progress(`server guard: ${framework} ${variants[i]}, ${label}`);
      return autocannon(endpoints[i]!.port, endpoints[i]!.authorization, seconds, targets[i]!.child.pid);
    };
    const measureRound = async (i: number, round: number) => {
      const { rps, cpuUs } = await measure(i, `round ${round + 1}/${ROUNDS}`, SERVER_SECONDS);
      measured[i]!.push(rps);
      if (cpuUs !== undefined) cpuMeasured[i]!.push(cpuUs);
    };
    try {
      for (const i of interleaved) await measure(i, 'warm-up', WARMUP_SECONDS);
      for (let round = 0; round < ROUNDS; round++) for (const i of interleaved) await measureRound(i, round);
      for (const i of last) {
        await measure(i, 'warm-up', WARMUP_SECONDS);
        for (let round = 0; round < ROUNDS; round++) await measureRound(i, round);
      }
    } finally {
      await Promise.all(targets.map((t) => t.stop()));
    }
    server[framework] = Object.fromEntries(variants.map((variant, i) => [variant, spread(measured[i]!)]));
    serverCpu[framework] = Object.fromEntries(
      variants.flatMap((variant, i) => (cpuMeasured[i]!.length > 0 ? [[variant, spread(cpuMeasured[i]!)]] : [])),
    );
  }
  return { server, serverCpuUsPerRequest: serverCpu, serverCpuAddedUs: serverCpuAdded(serverCpu) };
}
Object.assign(results, await serverGuard(), { serverCores: CORES });

// Gatehouse's own time per decision on a credential verified before, in-process: no network, no
// framework, so the cost of the check itself, apart from what the shared machine makes of it.
const decisions: Record<string, Spread> = {};
for (const variant of ['jwtHs256', 'jwtEs256', 'basicCached']) {
  decisions[variant] = await rounds(
    `guard decision in-process: ${variant}`,
    async () => (await run<{ ns: number }>(join(WORKERS, 'decide-cost.ts'), [variant])).ns,
  );
}
results['guardDecisionNs'] = decisions;

// The same routes as in 4, driven without a socket (bench/in-process.ts).
Object.assign(results, await inProcessCost(quick));

// 6. What the later features cost per request, in-process, each beside its baseline (bench/costs.ts).
results['costs'] = await featureCosts(quick);

// 5. Token endpoint: refresh-token rotations/s.
const tokens: Record<string, { rotationsPerSec: Spread }> = {};
for (const store of ['sqlite', 'postgres']) {
  tokens[store] = {
    rotationsPerSec: await rounds(
      `token rotations: ${store}`,
      async () =>
        (await run<{ rotationsPerSec: number }>(join(WORKERS, 'token-rotations.ts'), [store, String(CLIENT_MS)]))
          .rotationsPerSec,
    ),
  };
}
results['tokens'] = tokens;

progress('');
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  freeMemoryGiB: Math.round(freemem() / 2 ** 30),
  node: process.version,
  mode: quick ? 'quick' : 'full',
  rounds: ROUNDS,
  seconds: Math.round((Date.now() - started) / 1000),
  date: new Date().toISOString(),
};
writeFileSync(join(import.meta.dirname, 'results.json'), `${JSON.stringify({ machine, ...results }, null, 2)}\n`);
writeFileSync(join(root, 'BENCHMARKS.md'), markdown(machine, results) + byHand(join(root, 'BENCHMARKS.md')));
process.stdout.write(`${markdown(machine, results)}\n`);

/** The targets of the benchmark issues, judged from this run's medians; undefined where a figure is missing. */
function targets(r: Record<string, unknown>): Array<[string, boolean | undefined, string]> {
  const c = clientFigures(r).rps;
  const srv = r['server'] as Record<string, Record<string, Spread>>;
  const storm = r['refreshStorm'] as Record<string, { tokenCalls: number; succeeded: number; ms: number }>;
  const limits = r['rateLimit'] as Record<string, { status429: number; ms: number }>;
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const out: Array<[string, boolean | undefined, string]> = [];
  const g = c['gatehouse']!.median;
  out.push(...clientTargets(r));
  const wrappers = ['ky', 'got', 'axios'].filter((w) => c[w]);
  out.push([
    'client: faster than every other wrapper',
    wrappers.every((w) => g > c[w]!.median),
    wrappers.map((w) => `${w} ${x(g, c[w]!.median)}`).join(', '),
  ]);
  out.push([
    'refresh storm: exactly 1 token call, all 1,000 succeed',
    storm['gatehouse']?.tokenCalls === 1 && storm['gatehouse']?.succeeded === 1000,
    `${storm['gatehouse']?.tokenCalls} call, ${storm['gatehouse']?.succeeded} succeeded`,
  ]);
  const others = ['ky', 'got', 'axiosRetry'];
  // "No slower" allows the spread of this scenario's own rounds (the median against 1.1 × the other's).
  out.push([
    'rate-limit storm: fewest 429s, no slower to finish',
    others.every((o) => limits['gatehouse']!.status429 <= limits[o]!.status429) &&
      others.every((o) => limits['gatehouse']!.ms <= limits[o]!.ms * 1.1),
    `${limits['gatehouse']!.status429} 429s in ${limits['gatehouse']!.ms} ms; ${others.map((o) => `${o} ${limits[o]!.status429} in ${limits[o]!.ms} ms`).join('; ')}`,
  ]);
  const fields = r['rateLimitWithFields'] as Record<string, { status429: number; ms: number }> | undefined;
  if (fields)
    out.push([
      'rate-limit storm with the fields: at most 5 wasted 429s, no slower to finish',
      fields['gatehouse']!.status429 <= 5 && others.every((o) => fields['gatehouse']!.ms <= fields[o]!.ms * 1.1),
      `${fields['gatehouse']!.status429} 429s in ${fields['gatehouse']!.ms} ms; ${others.map((o) => `${o} ${fields[o]!.status429} in ${fields[o]!.ms} ms`).join('; ')}`,
    ]);
  for (const framework of ['node', 'fastify', 'hono']) {
    const f = srv[framework]!;
    for (const jwt of ['jwtHs256', 'jwtEs256'])
      out.push([
        `server ${framework}: ${jwt} ≥ 0.9 × no auth`,
        f[jwt]!.median >= 0.9 * f['noAuth']!.median,
        x(f[jwt]!.median, f['noAuth']!.median),
      ]);
    out.push([
      `server ${framework}: basicCached ≥ 0.8 × no auth`,
      f['basicCached']!.median >= 0.8 * f['noAuth']!.median,
      x(f['basicCached']!.median, f['noAuth']!.median),
    ]);
  }
  for (const framework of ['fastify', 'hono', 'express']) {
    const f = srv[framework]!;
    out.push([
      `server ${framework}: Gatehouse JWT ≥ the peer`,
      f['jwtHs256']!.median >= f['peerJwt']!.median,
      x(f['jwtHs256']!.median, f['peerJwt']!.median),
    ]);
  }
  out.push(...serverCpuTargets(r), ...inProcessTargets(r));
  return out;
}

/** Section 3's second table: the same storm against a server that sends the RateLimit fields. */
function rateLimitFieldsSection(r: Record<string, unknown>, fmt: (s: Spread) => string): string[] {
  const v = r['rateLimitWithFields'] as
    | Record<string, { sent: number; status429: number; msSpread: Spread }>
    | undefined;
  if (!v) return [];
  const when =
    typeof r['rateLimitDate'] === 'string'
      ? ` (measured on ${r['rateLimitDate'].slice(0, 10)} with \`--only rateLimit\`)`
      : '';
  return [
    `The same storm against the same server sending \`RateLimit-Policy: "default";q=100;w=1\` and \`RateLimit: "default";r=…;t=…\` (t in whole seconds, as Retry-After) on every answer${when}. Gatehouse paces from the fields; the others do not read them.`,
    '',
    '| client | requests sent | 429s received | ms to finish |',
    '|---|---|---|---|',
    ...Object.entries(v).map(([name, x]) => `| ${name} | ${x.sent} | ${x.status429} | ${fmt(x.msSpread)} |`),
    '',
  ];
}

/** Where a section's processes ran, and when a part was measured on its own. */
function measuredHow(r: Record<string, unknown>, part: 'client' | 'server', measured: string, load: string): string {
  const cores = r[`${part}Cores`] as { measured: number; load: number } | undefined;
  const date = r[`${part}Date`];
  const when = typeof date === 'string' ? ` Measured on ${date.slice(0, 10)} with \`--only ${part}\`.` : '';
  return cores
    ? ` ${measured} ran on core ${cores.measured} and ${load} on core ${cores.load} (taskset), so neither took the other's core.${when}`
    : when;
}

/** The figures BENCHMARKS.md ends with that no bench run measures (the soak, profiles): kept as written. */
function byHand(path: string): string {
  const previous = readFileSync(path, 'utf8');
  const at = previous.indexOf(BY_HAND_HEADING);
  return at < 0 ? '' : `\n${previous.slice(at)}`;
}

function markdown(m: typeof machine, r: Record<string, unknown>): string {
  const c = clientFigures(r).rps;
  const ratio = (a: number, b: number) => (b ? (a / b).toFixed(2) : 'n/a');
  const fmt = (s: Spread) => `${Math.round(s.median)} (${Math.round(s.min)}–${Math.round(s.max)})`;
  const cpuOf = (s: Spread | undefined) => (s ? s.median.toFixed(1) : 'n/a');
  const clientCpu = clientFigures(r).cpuUsPerRequest;
  const serverCpu = r['serverCpuUsPerRequest'] as Record<string, Record<string, Spread>>;
  const serverCpuAdd = (r['serverCpuAddedUs'] ?? {}) as Record<string, Record<string, Spread>>;
  const lines = [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench${m.mode === 'quick' ? ' -- --quick' : ''}\` on ${m.date.slice(0, 10)}: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}; ${m.rounds} rounds per figure${m.mode === 'quick' ? ' (one for the storms of 2 and 3)' : ''}, median (min–max); ${m.seconds} s in all.`,
    'Servers, clients and load generators run as separate processes on loopback, on a shared machine: read the ratios, which were measured side by side in one run, not the absolute numbers.',
    '',
    '## 1. Client overhead',
    '',
    `Requests/s through keep-alive against one fast local server, ${clientFigures(r).concurrency} concurrent loops, the clients interleaved by round.${measuredHow(r, 'client', 'Each client', 'the server')} Gatehouse runs with Bearer auth and its retry policy on: \`gatehouse\` over fetch (the default), \`gatehouseUndici\` over \`undiciTransport()\` from \`gatehouse-http/client/undici\` (an undici Agent, as \`undiciRaw\`, which is \`undici.request\` itself). The targets below are judged on the ratios round by round.`,
    '',
    '| client | req/s | × raw fetch | × raw undici | client CPU µs/request |',
    '|---|---|---|---|---|',
    ...Object.entries(c).map(
      ([name, s]) =>
        `| ${name} | ${fmt(s)} | ${ratio(s.median, c['fetch']!.median)} | ${ratio(s.median, c['undiciRaw']!.median)} | ${cpuOf(clientCpu[name])} |`,
    ),
    '',
    'Client CPU is the CPU time the client process spent per request (all its threads, the garbage collector included), the median of the rounds. fetchThin is calibration, as noopMiddleware is for servers: the least a wrapper over fetch does per call (a URL and Headers of its own, the credential set on them, no retries, redirects or errors of its own).',
    '',
    '## 2. Refresh storm',
    '',
    '1,000 concurrent requests with an expired token; the token endpoint takes 20 ms. Token calls and successes are those of the worst round, ms the median (min–max).',
    '',
    '| client | token calls | succeeded | ms |',
    '|---|---|---|---|',
    ...Object.entries(
      r['refreshStorm'] as Record<string, { tokenCalls: number; succeeded: number; msSpread: Spread }>,
    ).map(([name, v]) => `| ${name} | ${v.tokenCalls} | ${v.succeeded} / 1000 | ${fmt(v.msSpread)} |`),
    '',
    '## 3. Rate-limit storm',
    '',
    '50 workers share 500 successful requests against a server that allows 100 per 500 ms and answers 429 with Retry-After (whole seconds) beyond; every client retries 429 up to 10 times with its Retry-After handling. Medians of the rounds; ms with (min–max).',
    '',
    '| client | requests sent | 429s received | ms to finish |',
    '|---|---|---|---|',
    ...Object.entries(r['rateLimit'] as Record<string, { sent: number; status429: number; msSpread: Spread }>).map(
      ([name, v]) => `| ${name} | ${v.sent} | ${v.status429} | ${fmt(v.msSpread)} |`,
    ),
    '',
    ...rateLimitFieldsSection(r, fmt),
    '## 4. Server guard',
    '',
    `Requests/s with autocannon (50 connections) in its own process, rounds interleaved across the configurations of a framework; × is against no authentication on the same framework.${measuredHow(r, 'server', 'The servers', 'autocannon')}`,
    '',
    '| framework | configuration | req/s | × no auth | server CPU µs/request | + µs over no auth |',
    '|---|---|---|---|---|---|',
    ...Object.entries(r['server'] as Record<string, Record<string, Spread>>).flatMap(([framework, variants]) =>
      Object.entries(variants).map(([variant, s]) => {
        const cpu = serverCpu[framework]?.[variant];
        const added = serverCpuAdd[framework]?.[variant];
        const extra = added
          ? `${added.median >= 0 ? '+' : ''}${added.median.toFixed(1)} (${added.min.toFixed(1)} to ${added.max.toFixed(1)})`
          : '';
        return `| ${framework} | ${variant} | ${fmt(s)} | ${ratio(s.median, variants['noAuth']?.median ?? 0)} | ${cpuOf(cpu)} | ${extra} |`;
      }),
    ),
    '',
    `peerJwt is @fastify/jwt on Fastify, express-jwt on Express and hono/jwt on Hono, all HS256 on the same route. noopMiddleware is an async middleware that does nothing (a preHandler on Fastify): what the framework itself charges for any middleware, the ceiling for an authentication check written as one.${
      // Said only where the socket figures have a floorJwt row: results from before it have none.
      Object.values(r['server'] as Record<string, Record<string, Spread>>).some((v) => v['floorJwt'])
        ? " floorJwt is the least any check of a recently seen token can cost in the form of Gatehouse's middleware (the field looked up whole in a table of known tokens; see the in-process section): no middleware that authenticates costs less."
        : ''
    } jwtHs256Handler on Hono is the same check with \`protectHandler(guard, handler)\` around the handler of the route instead of \`protect(guard)\` as middleware (the targets are judged on the middleware). spin2us and spin5us (the full run only) are calibration: no authentication, but the handler burns 2 µs or 5 µs of CPU first; they show what a given cost per request does to requests/s on this machine, where the server and the load generator share two cores.`,
    '',
    'Server CPU is the CPU time the server process spent per request while loaded (user + system, from /proc), the median of the rounds; + µs is what a configuration adds to no authentication on the same framework, round by round (the rounds are interleaved), median (min to max).',
    '',
    "Gatehouse's own time per decision, in-process, on a credential verified before (the node adapter's request view and Authorization lines, then the guard's decision, on a real IncomingMessage; no network, no framework; the fastest batch of 100,000 in each of the rounds, their median):",
    '',
    '| configuration | ns per decision |',
    '|---|---|',
    ...Object.entries(r['guardDecisionNs'] as Record<string, Spread>).map(
      ([variant, s]) => `| ${variant} | ${fmt(s)} |`,
    ),
    '',
    ...inProcessSection(r),
    '## 5. Token endpoint',
    '',
    'Refresh-token rotations/s through the token service (8 concurrent chains): each rotation is a lookup, a conditional update, an insert and a signed access token.',
    '',
    '| store | rotations/s |',
    '|---|---|',
    ...Object.entries(r['tokens'] as Record<string, { rotationsPerSec: Spread }>).map(
      ([store, v]) => `| ${store}${store === 'postgres' ? ' (+ Redis deny-list)' : ''} | ${fmt(v.rotationsPerSec)} |`,
    ),
    '',
    ...costsSection(r),
    '## Targets',
    '',
    "Each judged from this run's figures above: a ratio is the median of the round-by-round ratios where the rounds were interleaved, and its (min–max) is theirs. The socket targets compare Gatehouse's added server CPU on each framework with the best peer's, the least any peer (@fastify/jwt, express-jwt, hono/jwt) adds on its own framework.",
    '',
    ...targets(r).map(
      ([what, met, figure]) =>
        `- ${met === undefined ? 'not judged' : met ? 'met' : '**missed**'}: ${what} (${figure})`,
    ),
    '',
  ];
  return lines.join('\n');
}
