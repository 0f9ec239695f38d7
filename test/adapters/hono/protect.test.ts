import assert from 'node:assert/strict';
import { it } from 'node:test';
import { protect } from '../../../src/adapters/hono/index.ts';
import { bearerScheme, createGuard } from '../../../src/server/index.ts';
import { honoApp } from '../../support/adapter-apps.ts';
import { describeAdapterOverSocket } from '../../support/adapter-over-socket.ts';
import { invalidArgumentError } from '../../support/argument-error.ts';

describeAdapterOverSocket('Hono 4', honoApp);

it('protect() given a handler where its options go says to use protectHandler', () => {
  const guard = createGuard({
    schemes: [bearerScheme({ jwt: { key: 'hono-protect-secret-of-32-bytes-or-more', algorithms: ['HS256'] } })],
  });
  assert.throws(() => protect(guard, (() => new Response()) as never), invalidArgumentError(/protectHandler/));
});
