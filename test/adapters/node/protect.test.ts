import assert from 'node:assert/strict';
import { it } from 'node:test';
import { protect } from '../../../src/adapters/node/index.ts';
import { bearerScheme, createGuard, requireScopes } from '../../../src/server/index.ts';
import { nodeApp } from '../../support/adapter-apps.ts';
import { describeAdapterOverSocket } from '../../support/adapter-over-socket.ts';
import { invalidArgumentError } from '../../support/argument-error.ts';

describeAdapterOverSocket('node:http', nodeApp);

// Checked at creation: at the first request a missing handler would throw out of the listener and end the process.
it("protect() without a handler (Express's form) says where the handler goes, at creation", () => {
  const guard = createGuard({
    schemes: [bearerScheme({ jwt: { key: 'node-protect-secret-of-32-bytes-or-more', algorithms: ['HS256'] } })],
  });
  assert.throws(() => protect(guard, undefined as never), invalidArgumentError(/protect\(guard, handler/));
  assert.throws(
    () => protect(guard, { permission: requireScopes('a') } as never),
    invalidArgumentError(/protect\(guard, handler/),
  );
});
