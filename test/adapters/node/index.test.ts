/**
 * gatehouse-http/node listeners that read the body (a signed-request guard, mountFetch, idempotency())
 * end quietly when the client goes away mid-body: a rejected listener promise would be unhandled,
 * which by default takes the whole process down.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { idempotency, mountFetch, protect } from '../../../src/adapters/node/index.ts';
import { createGuard, signatureScheme } from '../../../src/server/index.ts';
import { memoryIdempotency, memorySigningKeys } from '../../../src/stores/memory.ts';

const unhandled: unknown[] = [];
const record = (reason: unknown) => unhandled.push(reason);
before(() => process.on('unhandledRejection', record));
after(() => process.off('unhandledRejection', record));

/** Sends the head of a POST that announces 100 bytes, 4 of them, then drops the connection. */
function abandonMidBody(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        'POST /orders HTTP/1.1\r\nHost: api.test\r\nContent-Length: 100\r\nIdempotency-Key: k-1\r\nX-API-Key: key-1\r\n\r\nhalf',
      );
      setTimeout(() => socket.destroy(), 30);
    });
    socket.on('close', () => resolve());
  });
}

const ok = (_req: IncomingMessage, res: ServerResponse) => res.end('{"ok":true}');

const listeners = {
  'protect() with a guard that reads the body': protect(
    createGuard({ schemes: [signatureScheme({ keys: memorySigningKeys([]) })] }),
    ok,
  ),
  'mountFetch()': mountFetch(async () => new Response('{"ok":true}')),
  'idempotency()': idempotency({ ledger: memoryIdempotency() }, ok),
};

describe('a client that goes away mid-body', () => {
  for (const [name, listener] of Object.entries(listeners)) {
    it(`${name}: ends quietly, and the server goes on answering`, async () => {
      const server = createServer(listener);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const seen = unhandled.length;
      try {
        await abandonMidBody(port);
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.deepStrictEqual(unhandled.slice(seen).map(String), [], 'no unhandled rejection');
        const response = await fetch(`http://127.0.0.1:${port}/orders`, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json', 'idempotency-key': 'k-2' },
        });
        assert.ok(response.status < 500, `the next request is answered (${response.status})`);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  }
});
