/**
 * What the issue 16 reshaping changed by accident, held here so it stays fixed. Each case is a
 * behaviour the tree had before the moves and renames, or a mistake a rename made possible.
 */
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { type AuthenticatedRequest, protect } from '../../src/adapters/node/index.ts';
import { createClient, headerSignature, hmacSignature } from '../../src/client/index.ts';
import { INVALID_ARGUMENT } from '../../src/http/index.ts';
import {
  createGuard,
  memorySigningKeys,
  type SignatureSchemeOptions,
  signatureScheme,
} from '../../src/server/index.ts';
import { listen } from '../support/server.ts';

const KEY = { keyId: 'svc-key', secret: 'svc-signing-secret-0123456789', id: 'svc' };

describe("signatureScheme's layout after 'lab' became 'headers'", () => {
  it("refuses the old name 'lab' when the scheme is built, as the client's hmacSignature() does", () => {
    // Untyped code (JavaScript, a config file) still passing the old name must hear of it at
    // start-up: read as another layout, every signed request would be refused, silently.
    const options = { keys: memorySigningKeys([KEY]), layout: 'lab' } as unknown as SignatureSchemeOptions;
    assert.throws(
      () => signatureScheme(options),
      (error: NodeJS.ErrnoException) =>
        error instanceof TypeError &&
        error.code === INVALID_ARGUMENT &&
        /layout must be 'authorization' or 'headers'/.test(error.message),
    );
    assert.throws(
      () => hmacSignature({ keyId: KEY.keyId, secret: KEY.secret, layout: 'lab' as never }),
      /layout must be 'authorization' or 'headers'/,
    );
  });

  it('refuses any other layout too, and takes both known ones', () => {
    for (const layout of ['Headers', 'header', '', 'x-api-key', 0]) {
      const options = { keys: memorySigningKeys([KEY]), layout } as unknown as SignatureSchemeOptions;
      assert.throws(() => signatureScheme(options), TypeError, `layout ${JSON.stringify(layout)}`);
    }
    for (const layout of ['authorization', 'headers', undefined] as const)
      assert.equal(
        signatureScheme({ keys: memorySigningKeys([KEY]), ...(layout ? { layout } : {}) }).name,
        'signature',
      );
  });

  it("serves a request signed with headerSignature() under layout: 'headers', over a socket", async (t) => {
    const guard = createGuard({ schemes: [signatureScheme({ keys: memorySigningKeys([KEY]), layout: 'headers' })] });
    const runs: string[] = [];
    const app = await listen(
      createServer(
        protect(guard, (req: AuthenticatedRequest, res: ServerResponse) => {
          runs.push(req.auth.id);
          res.end('ok');
        }),
      ),
    );
    t.after(() => app.close());
    const client = createClient({ baseUrl: app.url, auth: headerSignature(KEY.keyId, KEY.secret), retry: false });
    const response = await client.post('orders', { body: '{"qty":1}' });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'ok');
    assert.deepEqual(runs, ['svc']);
  });
});
