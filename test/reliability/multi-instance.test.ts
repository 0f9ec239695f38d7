/**
 * Two API processes sharing Postgres and Redis behave as one: a refresh token rotated on A and
 * presented again on B inside the grace window gets A's successor (never a second chain), an
 * older generation presented on B revokes the family on both, a lockout counted on A holds on B,
 * a revocation on A is seen by B.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashPassword, openStore } from '../../src/server/index.ts';
import { type FormAnswer, postForm } from '../support/server.ts';
import { connectRedis, dropSchema, POSTGRES_URL, REDIS_URL, requirePostgres, runSchema } from '../support/services.ts';
import { type Instance, spawnInstance } from '../support/spawn-instance.ts';

const startInstance = (schema: string) =>
  spawnInstance(join(import.meta.dirname, '../support/instance.ts'), POSTGRES_URL, schema, REDIS_URL);

/** Adds users whose password is `<name>-password-1`, with the read scope, to the shared store. */
async function addUsers(schema: string, ...names: string[]): Promise<void> {
  const store = await openStore(POSTGRES_URL, { namespace: schema });
  try {
    for (const name of names)
      await store.users.putUser({
        username: name,
        id: `u-${name}`,
        passwordHash: await hashPassword(`${name}-password-1`),
        scopes: ['read'],
        roles: [],
      });
  } finally {
    await store.close();
  }
}

describe('two instances sharing Postgres and Redis', () => {
  const schema = runSchema('fleet');
  let a: Instance | undefined;
  let b: Instance | undefined;
  let ready = false;

  before(async (t) => {
    if (!(await requirePostgres(t))) return;
    const redis = await connectRedis(t);
    if (!redis) return;
    redis.disconnect();
    await addUsers(schema, 'alice');
    const store = await openStore(POSTGRES_URL, { namespace: schema });
    await store.clients.putClient({ clientId: 'web', grants: ['password', 'refresh_token'], scopes: ['read'] });
    await store.close();
    [a, b] = await Promise.all([startInstance(schema), startInstance(schema)]);
    ready = true;
  });
  after(async () => {
    for (const instance of [a, b]) instance?.child.kill('SIGTERM');
    if (ready) await dropSchema(schema);
  });

  const loginAs = (url: string, name: string, password = `${name}-password-1`) =>
    postForm(`${url}/oauth/token`, { grant_type: 'password', client_id: 'web', username: name, password });
  const login = (url: string, password?: string) => loginAs(url, 'alice', password);
  // One by one, alternating instances: parallel sign-ins of one user from one address beyond the
  // lockout limit are refused before they are verified (login protection counts attempts first).
  const loginsOneByOne = async (count: number, name: string) => {
    const logins = [];
    for (let i = 0; i < count; i++) logins.push(await loginAs((i % 2 ? a : b)!.url, name));
    return logins;
  };
  const refresh = (url: string, token: string) =>
    postForm(`${url}/oauth/token`, { grant_type: 'refresh_token', client_id: 'web', refresh_token: token });

  /** Answers to tokens raced in pairs (A, B): both of a pair accepted with the same successor, which is live. */
  const assertOneLiveSuccessorEach = async (answers: Array<{ status: number; body: FormAnswer }>, raced: number) => {
    assert.equal(answers.length, raced * 2);
    assert.ok(
      answers.every((x) => x.status === 200),
      JSON.stringify(answers.filter((x) => x.status !== 200).map((x) => x.body)),
    );
    const successors = Array.from({ length: raced }, (_, i) => {
      assert.equal(answers[2 * i]!.body.refresh_token, answers[2 * i + 1]!.body.refresh_token, `token ${i} forked`);
      return answers[2 * i]!.body.refresh_token;
    });
    assert.equal(new Set(successors).size, raced);
    const next = await Promise.all(successors.map((token, i) => refresh((i % 2 ? a : b)!.url, token)));
    assert.ok(
      next.every((x) => x.status === 200),
      'every successor is live',
    );
  };

  it('a token signed on A verifies on B (the signing keys are shared)', async (t) => {
    if (!ready) return t.skip('services unavailable');
    const tokens = (await login(a!.url)).body;
    const me = await fetch(`${b!.url}/api/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(me.status, 200);
    assert.equal((await me.json()).id, 'u-alice');
  });

  it('a refresh token rotated on A and repeated on B inside the grace window gets A’s successor', async (t) => {
    if (!ready) return t.skip('services unavailable');
    const first = (await login(a!.url)).body;
    const second = await refresh(a!.url, first.refresh_token);
    assert.equal(second.status, 200);
    const repeat = await refresh(b!.url, first.refresh_token);
    assert.deepStrictEqual([repeat.status, repeat.body.refresh_token], [200, second.body.refresh_token]);
    assert.equal((await refresh(b!.url, second.body.refresh_token)).status, 200);
  });

  it('an older generation presented on B revokes the family on both', async (t) => {
    if (!ready) return t.skip('services unavailable');
    const t0 = (await login(a!.url)).body.refresh_token;
    const t1 = (await refresh(a!.url, t0)).body.refresh_token;
    const t2 = (await refresh(a!.url, t1)).body.refresh_token;
    const stolen = await refresh(b!.url, t0);
    assert.deepStrictEqual([stolen.status, stolen.body.error], [400, 'invalid_grant']);
    const legit = await refresh(a!.url, t2);
    assert.deepStrictEqual(
      [legit.status, legit.body.error],
      [400, 'invalid_grant'],
      'the family is revoked everywhere',
    );
  });

  it('a refresh token raced to both instances at the same moment yields one successor, not two chains', async (t) => {
    if (!ready) return t.skip('services unavailable');
    const first = (await login(a!.url)).body;
    const answers = await Promise.all([refresh(a!.url, first.refresh_token), refresh(b!.url, first.refresh_token)]);
    assert.deepStrictEqual(
      answers.map((x) => x.status),
      [200, 200],
    );
    assert.equal(answers[0]!.body.refresh_token, answers[1]!.body.refresh_token);
  });

  it('under load: 40 refresh tokens, each presented to both instances at once (80 concurrent requests), give exactly one live successor each', async (t) => {
    if (!ready) return t.skip('services unavailable');
    await addUsers(schema, 'carol');
    const logins = await loginsOneByOne(40, 'carol');
    const tokens = logins.map((l) => l.body.refresh_token as string);
    assert.equal(new Set(tokens).size, 40);
    const answers = await Promise.all(tokens.flatMap((token) => [refresh(a!.url, token), refresh(b!.url, token)]));
    await assertOneLiveSuccessorEach(answers, tokens.length);
  });

  it('a lockout counted on A holds on B', async (t) => {
    if (!ready) return t.skip('services unavailable');
    for (let i = 0; i < 3; i++) assert.equal((await login(a!.url, `wrong-${i}`)).status, 400);
    const locked = await login(b!.url);
    assert.deepStrictEqual([locked.status, locked.body.code], [429, 'locked_out']);
  });

  it('a revocation on A is seen by B on its next request', async (t) => {
    if (!ready) return t.skip('services unavailable');
    // A fresh user: alice is locked out by the test before.
    await addUsers(schema, 'bob');
    const tokens = (await loginAs(a!.url, 'bob')).body;
    const onB = () => fetch(`${b!.url}/api/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal((await onB()).status, 200);
    assert.equal(
      (await postForm(`${a!.url}/oauth/revoke`, { client_id: 'web', token: tokens.access_token })).status,
      200,
    );
    const refused = await onB();
    assert.deepStrictEqual([refused.status, (await refused.json()).code], [401, 'token_revoked']);
  });

  it('under load: while 64 clients read through both instances, a lockout and a revocation on A hold on B, and raced refresh tokens give one live successor each', async (t) => {
    if (!ready) return t.skip('services unavailable');
    await addUsers(schema, 'dave', 'erin', 'frank');
    const reader = (await loginAs(a!.url, 'dave')).body;

    // Background traffic: 64 loops reading /api/me through A and B until the checks are done.
    const statuses: Record<number, number> = {};
    let running = true;
    const background = Promise.all(
      Array.from({ length: 64 }, async (_, i) => {
        const url = `${(i % 2 ? a : b)!.url}/api/me`;
        while (running) {
          const response = await fetch(url, { headers: { authorization: `Bearer ${reader.access_token}` } });
          await response.arrayBuffer();
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        }
      }),
    );
    try {
      for (let i = 0; i < 3; i++) assert.equal((await loginAs(a!.url, 'erin', `wrong-${i}`)).status, 400);
      const locked = await loginAs(b!.url, 'erin');
      assert.deepStrictEqual([locked.status, locked.body.code], [429, 'locked_out'], 'the lockout holds on B');

      const revoked = (await loginAs(b!.url, 'frank')).body;
      assert.equal(
        (await postForm(`${a!.url}/oauth/revoke`, { client_id: 'web', token: revoked.access_token })).status,
        200,
      );
      const refused = await fetch(`${b!.url}/api/me`, { headers: { authorization: `Bearer ${revoked.access_token}` } });
      assert.deepStrictEqual([refused.status, (await refused.json()).code], [401, 'token_revoked']);

      const logins = await loginsOneByOne(20, 'frank');
      const tokens = logins.map((l) => l.body.refresh_token as string);
      const answers = await Promise.all(tokens.flatMap((token) => [refresh(a!.url, token), refresh(b!.url, token)]));
      await assertOneLiveSuccessorEach(answers, tokens.length);
    } finally {
      running = false;
      await background;
    }
    assert.ok((statuses[200] ?? 0) > 200, `background load too light: ${JSON.stringify(statuses)}`);
    assert.deepStrictEqual(Object.keys(statuses), ['200'], `the reader was never refused: ${JSON.stringify(statuses)}`);
  });
});
