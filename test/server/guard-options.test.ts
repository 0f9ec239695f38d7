/** The guard's options, checked once at creation. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearerScheme, createGuard, type GuardOptions, requireScopes } from '../../src/server/index.ts';
import { invalidArgumentError } from '../support/argument-error.ts';
import { AUDIENCE, ISSUER, JWT_SECRET, jwt } from '../support/guard-fixture.ts';

const jwtOptions = { key: JWT_SECRET, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE };

describe('configuration', () => {
  it('rejects a guard without schemes', () => {
    assert.throws(() => createGuard({ schemes: [] }), { code: 'ERR_GATEHOUSE_INVALID_ARGUMENT' });
  });
});

/**
 * The guard keeps a copy of its options. A copy made by spreading keeps only own enumerable
 * properties: an option an app's object holds otherwise (a class's getter, a prototype's default,
 * a property defined non-enumerable) was read by the guard before it kept a copy, and still must
 * be, above all a permission, which would otherwise let every authenticated principal through.
 */
describe('options an object holds other than as own enumerable properties', () => {
  const adminOnly = () => requireScopes('admin');
  const shapes: Array<[string, () => GuardOptions]> = [
    ['inherited from a prototype', () => Object.assign(Object.create({ permission: adminOnly() }), schemes())],
    [
      'a class getter',
      () =>
        new (class {
          schemes = schemes().schemes;
          get permission() {
            return adminOnly();
          }
        })(),
    ],
    ['non-enumerable', () => Object.defineProperty(schemes(), 'permission', { value: adminOnly() })],
  ];
  function schemes(): GuardOptions {
    return { schemes: [bearerScheme({ jwt: jwtOptions })] };
  }
  for (const [shape, options] of shapes)
    it(`still holds every request to a permission ${shape}`, async () => {
      const guard = createGuard(options());
      const request = new Request('http://api.test/me', {
        headers: { authorization: `Bearer ${await jwt({ sub: 'u-1' })}` },
      });
      for (let i = 0; i < 2; i++) {
        const decision = await guard.decide(request);
        assert.equal(decision.outcome === 'refused' && decision.refusal.reason, 'insufficient_scope');
      }
      assert.deepEqual(guard.openapi().security, [{ bearer: ['admin'] }]);
    });

  it('still calls an onRefusal and an onError inherited from a prototype', async () => {
    const seen: string[] = [];
    const hooks = { onRefusal: () => seen.push('refusal'), onError: () => seen.push('error') };
    const options: GuardOptions = Object.assign(Object.create(hooks), {
      schemes: [bearerScheme({ jwt: { ...jwtOptions, isRevoked: () => Promise.reject(new Error('store down')) } })],
    });
    const guard = createGuard(options);
    await guard.decide(new Request('http://api.test/me'));
    await guard.decide(
      new Request('http://api.test/me', { headers: { authorization: `Bearer ${await jwt({ sub: 'u-1' })}` } }),
    );
    assert.deepEqual(seen, ['refusal', 'error', 'refusal']);
  });
});

describe('createGuard() entries', () => {
  it('an entry that is no scheme is named, with what to pass instead', () => {
    assert.throws(
      () => createGuard({ schemes: [bearerScheme as never] }),
      invalidArgumentError(/schemes\[0\].*bearerScheme\(/),
    );
    assert.throws(() => createGuard({ schemes: [undefined as never] }), invalidArgumentError(/schemes\[0\]/));
  });
});
