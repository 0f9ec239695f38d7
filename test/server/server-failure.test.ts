/**
 * The default onError line names the cause an operator can act on (refused, timed out, a pool
 * that was ended, which file threw) in one line, and never a secret: not the credentials, not a
 * URL's userinfo or query, not an application error's message.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import {
  allow,
  basicScheme,
  bearerScheme,
  createGuard,
  hashPassword,
  memoryUsers,
  openStore,
  type Permission,
  StoreUnreachableError,
} from '../../src/server/index.ts';
import { failureLine, failureOf } from '../../src/server/server-failure.ts';
import { freePort, listen } from '../support/server.ts';
import { dropSchema, POSTGRES_URL, requirePostgres, runSchema } from '../support/services.ts';

const PASSWORD = 'pw-Zq9-never-logged';
const QUERY_SECRET = 'jwks-query-secret-7Hx';

/** What the default onError wrote on stderr while `run` ran. */
async function stderrOf(run: () => Promise<unknown>): Promise<string> {
  const write = process.stderr.write;
  let written = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    await run();
  } finally {
    process.stderr.write = write;
  }
  return written;
}

function basicRequest(path = '/me'): Request {
  return new Request(`http://api.test${path}`, {
    headers: { authorization: `Basic ${Buffer.from(`ann:${PASSWORD}`).toString('base64')}` },
  });
}

function assertOneLine(line: string): void {
  assert.equal(line.split('\n').filter(Boolean).length, 1, line);
  for (const secret of [PASSWORD, Buffer.from(`ann:${PASSWORD}`).toString('base64'), QUERY_SECRET])
    assert.ok(!line.includes(secret), `no secret in ${line}`);
}

async function jwksToken(): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setSubject('u1')
    .setAudience('https://api.test')
    .setExpirationTime('5m')
    .sign(privateKey);
}

async function bearerFailureLine(jwks: string, jwksTimeoutMs?: number): Promise<string> {
  const guard = createGuard({
    schemes: [
      bearerScheme({
        jwt: { jwks, algorithms: ['ES256'], audience: 'https://api.test', ...(jwksTimeoutMs ? { jwksTimeoutMs } : {}) },
      }),
    ],
  });
  const token = await jwksToken();
  let status = 0;
  const line = await stderrOf(async () => {
    const decision = await guard.authenticate(
      new Request('http://api.test/me', { headers: { authorization: `Bearer ${token}` } }),
    );
    assert.equal(decision.outcome, 'refused');
    if (decision.outcome === 'refused') status = guard.refusalResponse(decision.refusal).status;
  });
  assert.equal(status, 503);
  assertOneLine(line);
  assert.ok(!line.includes(token), 'no token in the line');
  return line;
}

describe('the default failure line', () => {
  it('a JWKS at a refused port: names ECONNREFUSED and the address, not the query', async () => {
    const port = await freePort();
    const line = await bearerFailureLine(`http://127.0.0.1:${port}/jwks.json?key=${QUERY_SECRET}`);
    assert.match(line, /^gatehouse: keys_unavailable from http:\/\/127\.0\.0\.1:\d+\/jwks\.json: /);
    assert.match(line, new RegExp(`ECONNREFUSED.*127\\.0\\.0\\.1:${port}`));
  });

  it('a JWKS that never answers: names ERR_JWKS_TIMEOUT', async (t) => {
    const silent = await listen(createServer(() => {}));
    t.after(() => silent.close());
    const line = await bearerFailureLine(`${silent.url}/jwks.json`, 200);
    assert.match(line, /ERR_JWKS_TIMEOUT/);
  });

  it('a Postgres store whose pool was ended: says so, one line, no password', async (t) => {
    if (!(await requirePostgres(t))) return;
    const namespace = runSchema('failure_line');
    const store = await openStore(POSTGRES_URL as `postgres://${string}`, { namespace });
    t.after(() => dropSchema(namespace));
    await store.users.putUser({ id: 'u1', username: 'ann', passwordHash: await hashPassword(PASSWORD) });
    await store.close();
    const guard = createGuard({ schemes: [basicScheme({ users: store.users, cache: false })] });
    const line = await stderrOf(() => guard.authenticate(basicRequest()));
    assertOneLine(line);
    assert.match(line, /^gatehouse: (store_unavailable|internal_error) from scheme "basic": /);
    assert.match(line, /Cannot use a pool after calling end on the pool/);
  });

  it('a permission that throws: names the error and where it was thrown, not its message', async () => {
    const users = memoryUsers([{ id: 'u1', username: 'ann', passwordHash: await hashPassword(PASSWORD) }]);
    const throwing: Permission = allow(() => {
      throw new RangeError(`lookup failed for ${PASSWORD}`);
    });
    const guard = createGuard({ schemes: [basicScheme({ users })] });
    const line = await stderrOf(() => guard.authenticate(basicRequest(), { permission: throwing }));
    assertOneLine(line);
    assert.match(line, /^gatehouse: internal_error from permission: RangeError at .*server-failure\.test\.ts:\d+/);
  });

  // Gatehouse's own words about a broken contract are fixed text that names the culprit; a line
  // that gave only a place inside dist/ left the operator to open the package to find it.
  it("an async isRevoked that forgot its return: names isRevoked's answer, not a line of the package", async () => {
    const secret = new TextEncoder().encode('an-hmac-secret-of-32-bytes-at-least!');
    const guard = createGuard({
      schemes: [
        bearerScheme({
          jwt: {
            key: secret,
            algorithms: ['HS256'],
            // The classic mistake, which TypeScript catches and type stripping does not.
            isRevoked: (async () => {}) as unknown as () => Promise<boolean>,
          },
        }),
      ],
    });
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u1')
      .setExpirationTime('5m')
      .sign(secret);
    const line = await stderrOf(() =>
      guard.authenticate(new Request('http://api.test/me', { headers: { authorization: `Bearer ${token}` } })),
    );
    assertOneLine(line);
    assert.ok(!line.includes(token), 'no token in the line');
    assert.match(
      line,
      /^gatehouse: internal_error from scheme "bearer": TypeError: jwt\.isRevoked's promise resolved to undefined, not a boolean/,
    );
  });

  it('a permission whose check() answers false: says which contract was broken', async () => {
    const users = memoryUsers([{ id: 'u1', username: 'ann', passwordHash: await hashPassword(PASSWORD) }]);
    const answersFalse = { requires: { scopes: [], roles: [] }, check: () => false } as unknown as Permission;
    const guard = createGuard({ schemes: [basicScheme({ users })] });
    const line = await stderrOf(() => guard.authenticate(basicRequest(), { permission: answersFalse }));
    assertOneLine(line);
    assert.match(
      line,
      /^gatehouse: internal_error from permission: TypeError: guard: the permission's check\(\) answered neither true nor a refusal/,
    );
  });
});

describe('a Redis that is down, as the store connection reports it', () => {
  it('a command refused while the connection is down is store_unavailable (503), its fixed text shown', () => {
    const error = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    assert.equal(failureOf(error, 'scheme "bearer"').reason, 'store_unavailable');
    assert.equal(
      failureLine(failureOf(error, 'scheme "bearer"')),
      `gatehouse: store_unavailable from scheme "bearer": Error: Stream isn't writeable and enableOfflineQueue options is false`,
    );
    assert.equal(
      failureOf(new StoreUnreachableError('Redis', 'redis://127.0.0.1:1', error), 'x').reason,
      'store_unavailable',
    );
  });
});
