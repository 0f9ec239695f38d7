/**
 * Two playground processes (`gatehouse serve`) on one Postgres schema and one Redis prefix,
 * under load. While readers keep both busy, rounds of checks run across the two: a refresh token
 * raced to both instances at once (inside the default grace window) gives both the same
 * successor, which is live: exactly one chain per token, a lockout counted on A refuses on B, a revocation on A is refused on B (access token)
 * and on A (refresh family revoked on B), and an idempotent POST raced to both takes effect once.
 */
import { join } from 'node:path';
import { hashPassword, openStore } from '../../src/server/index.ts';
import { postForm } from './server.ts';
import { dropSchema, POSTGRES_URL, REDIS_URL } from './services.ts';
import { type Instance, spawnInstance } from './spawn-instance.ts';

export interface FleetReport {
  rounds: number;
  /** Background reads answered, by status. */
  reads: Record<string, number>;
  refreshesRaced: number;
  /** Raced tokens that gave both instances one and the same successor, which then refreshed. */
  refreshesWithOneLiveSuccessor: number;
  lockouts: number;
  revocations: number;
  ordersRaced: number;
  problems: string[];
}

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');
/** Lockout checks per run: five failures each, and the playground allows 100 per IP a day. */
const MAX_LOCKOUT_ROUNDS = 12;
/** The fleet's own public client: `gatehouse serve --store …` plants no demo account in a store it is given. */
const FLEET_CLIENT = 'fleet-app';

/**
 * The fleet's one public name, as a load balancer in front of it would have: every instance issues
 * and accepts tokens under it (each one's own address would make it a separate issuer).
 */
const FLEET_ISSUER = 'https://fleet.gatehouse.test';

const startInstance = (schema: string) =>
  spawnInstance(
    CLI,
    'serve',
    '--store',
    POSTGRES_URL,
    '--redis',
    REDIS_URL,
    '--namespace',
    schema,
    '--issuer',
    FLEET_ISSUER,
  );

export async function runFleet(options: { durationMs: number; readers: number }): Promise<FleetReport> {
  const schema = `gh_fleet_${process.pid}_${Date.now().toString(36)}`;
  const report: FleetReport = {
    rounds: 0,
    reads: {},
    refreshesRaced: 0,
    refreshesWithOneLiveSuccessor: 0,
    lockouts: 0,
    revocations: 0,
    ordersRaced: 0,
    problems: [],
  };
  const password = 'fleet-password-1';
  const users = await openStore(POSTGRES_URL, { namespace: schema });
  const addUser = async (name: string) =>
    users.users.putUser({
      username: name,
      id: `u-${name}`,
      passwordHash: await hashPassword(password),
      scopes: ['read'],
      roles: [],
    });
  let instances: Instance[] = [];
  try {
    await users.clients.putClient({
      clientId: FLEET_CLIENT,
      name: 'Fleet app',
      grants: ['password', 'refresh_token'],
      scopes: ['read'],
    });
    instances = await Promise.all([startInstance(schema), startInstance(schema)]);
    const [a, b] = instances as [Instance, Instance];
    const login = (on: Instance, username: string, pass = password) =>
      postForm(`${on.url}/oauth/token`, {
        grant_type: 'password',
        client_id: FLEET_CLIENT,
        username,
        password: pass,
      });
    const refresh = (on: Instance, token: string) =>
      postForm(`${on.url}/oauth/token`, {
        grant_type: 'refresh_token',
        client_id: FLEET_CLIENT,
        refresh_token: token,
      });
    const revoke = (on: Instance, token: string) =>
      postForm(`${on.url}/oauth/revoke`, { client_id: FLEET_CLIENT, token });
    const me = (on: Instance, token: string) =>
      fetch(`${on.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });

    await addUser('reader');
    const reader = (await login(a, 'reader')).body.access_token;
    let running = true;
    const background = Promise.all(
      Array.from({ length: options.readers }, async (_, i) => {
        const on = i % 2 ? a : b;
        while (running) {
          const response = await me(on, reader).catch(() => undefined);
          await response?.arrayBuffer();
          const key = response ? String(response.status) : 'network error';
          report.reads[key] = (report.reads[key] ?? 0) + 1;
        }
      }),
    );

    const deadline = Date.now() + options.durationMs;
    try {
      do {
        const round = report.rounds++;
        const check = (holds: boolean, what: string) => {
          if (!holds) report.problems.push(`round ${round}: ${what}`);
        };
        const name = `user${round}`;
        await addUser(name);

        // Refresh tokens raced to both instances at once: both get the same successor, and it is live.
        // Signed in one by one: parallel sign-ins of one user from one address beyond the lockout limit
        // are refused before they are verified (login protection counts attempts first).
        const logins = [];
        for (let i = 0; i < 10; i++) logins.push(await login(i % 2 ? a : b, name));
        const tokens = logins.map((l) => l.body.refresh_token as string);
        check(new Set(tokens).size === 10, `logins failed: ${JSON.stringify(logins.map((l) => l.status))}`);
        const raced = await Promise.all(tokens.map((token) => Promise.all([refresh(a, token), refresh(b, token)])));
        report.refreshesRaced += tokens.length;
        const live = await Promise.all(
          raced.map(async ([onA, onB], i) => {
            const successor = onA.body.refresh_token;
            if (onA.status !== 200 || onB.status !== 200 || onB.body.refresh_token !== successor) return false;
            return (await refresh(i % 2 ? a : b, successor)).status === 200;
          }),
        );
        const good = live.filter(Boolean).length;
        report.refreshesWithOneLiveSuccessor += good;
        check(
          good === tokens.length,
          `${tokens.length - good} of ${tokens.length} raced refresh tokens forked or died`,
        );

        // A revocation on one instance holds on the other: the access token, and the refresh family.
        const pair = (await login(b, name)).body;
        check((await me(b, pair.access_token)).status === 200, 'a fresh access token was refused');
        await revoke(a, pair.access_token);
        const refused = await me(b, pair.access_token);
        const refusedCode = (await refused.json()).code;
        check(
          refused.status === 401 && refusedCode === 'token_revoked',
          `B answered ${refused.status} ${refusedCode} after the revocation on A`,
        );
        await revoke(b, pair.refresh_token);
        const dead = await refresh(a, pair.refresh_token);
        check(
          dead.status === 400 && dead.body.error === 'invalid_grant',
          `A refreshed a family revoked on B (${dead.status})`,
        );
        report.revocations++;

        // A lockout counted on A refuses the right password on B.
        if (round < MAX_LOCKOUT_ROUNDS) {
          const victim = `locked${round}`;
          await addUser(victim);
          for (let i = 0; i < 5; i++) await login(a, victim, `wrong-${i}`);
          const locked = await login(b, victim);
          check(
            locked.status === 429 && locked.body.code === 'locked_out',
            `B let a user locked out on A in (${locked.status})`,
          );
          report.lockouts++;
        }

        // One idempotent POST raced to both instances takes effect once.
        const key = `fleet-${schema}-${round}`;
        const post = (on: Instance) =>
          fetch(`${on.url}/orders`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': key },
            body: '{"item":"book"}',
          }).then(async (r) => {
            await r.arrayBuffer();
            return r.status;
          });
        const statuses = await Promise.all([post(a), post(b), post(a), post(b)]);
        check(
          statuses.every((s) => s === 201 || s === 409),
          `order answers ${statuses}`,
        );
        const applied = async (on: Instance) =>
          ((await (await fetch(`${on.url}/orders/${key}`)).json()) as { applied: number }).applied;
        const effects = (await applied(a)) + (await applied(b));
        check(effects === 1, `an order raced to both instances took effect ${effects} times`);
        report.ordersRaced++;
      } while (Date.now() < deadline);
    } finally {
      running = false;
      await background;
    }
    const refusedReads = Object.entries(report.reads).filter(([status]) => status !== '200');
    if (refusedReads.length) report.problems.push(`background reads refused: ${JSON.stringify(report.reads)}`);
  } finally {
    await Promise.all(
      instances.map(
        (instance) =>
          new Promise<void>((resolve) => {
            if (instance.child.exitCode !== null) return resolve();
            instance.child.once('exit', () => resolve());
            instance.child.kill('SIGTERM');
          }),
      ),
    );
    await users.close();
    await dropSchema(schema);
  }
  return report;
}
