/** `gatehouse token inspect`: a JWT decoded locally, never sent anywhere, with what the doctor would flag. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inspectToken } from '../../src/doctor/index.ts';
import { unsignedJwt } from '../support/jwt.ts';

const main = join(import.meta.dirname, '../../src/cli/main.ts');
const jwt = (header: object, payload: object) => unsignedJwt(header, payload, 'c2ln');

describe('token inspect', () => {
  const now = Date.UTC(2026, 10, 22, 12, 0, 0);
  it('decodes header and claims and flags expiry against a given server Date', () => {
    const token = jwt({ alg: 'HS256', kid: 'k1' }, { sub: 'u', iat: now / 1000 - 600, exp: now / 1000 - 60 });
    const inspection = inspectToken(token, { now: now + 3_600_000, serverDate: new Date(now).toUTCString() })!;
    assert.deepStrictEqual(inspection.header, { alg: 'HS256', kid: 'k1' });
    assert.deepStrictEqual(
      inspection.times.map((t) => [t.claim, t.server]),
      [
        ['iat', '10 min ago'],
        ['exp', '1 min ago'],
      ],
    );
    assert.deepStrictEqual(
      inspection.flags.map((f) => f.code),
      ['token_expired'],
    );
  });

  it('flags no exp, alg none, and a weak HMAC key', () => {
    assert.deepStrictEqual(
      inspectToken(jwt({ alg: 'none' }, { sub: 'u' }))!.flags.map((f) => f.code),
      ['alg_none', 'no_exp'],
    );
    const weak = inspectToken(jwt({ alg: 'HS256' }, { sub: 'u', exp: 9e9 }), { key: 'short-secret' })!;
    assert.deepStrictEqual(
      weak.flags.map((f) => f.code),
      ['weak_hmac_key'],
    );
    assert.equal(inspectToken('not-a-jwt'), undefined);
  });

  it('the CLI prints it and never contacts anything', () => {
    const token = jwt({ alg: 'RS256' }, { sub: 'u', exp: Math.floor(Date.now() / 1000) + 600 });
    const result = spawnSync(process.execPath, [main, 'token', 'inspect', token], { encoding: 'utf8' });
    assert.equal(result.status, 0);
    assert.match(result.stdout, /nothing to flag/);
    const bad = spawnSync(process.execPath, [main, 'token', 'inspect', 'opaque'], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
  });
});
