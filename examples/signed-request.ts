// Signed requests: X-API-Key, X-Timestamp, X-Nonce and an HMAC-SHA256 X-Signature over method,
// authority, path and query, timestamp, nonce and body. The server verifies; the secret is never sent.
import { createClient, headerSignature } from '../src/client/index.ts';
import { EXAMPLE_ACCOUNTS, startExampleServer } from './support/example-server.ts';

const server = await startExampleServer();
try {
  const client = createClient({
    baseUrl: server.url,
    auth: headerSignature(EXAMPLE_ACCOUNTS.apiKey, EXAMPLE_ACCOUNTS.apiSecret),
  });
  console.log('GET  →', await (await client.get('signed?page=2')).json());
  console.log(
    'POST →',
    await (
      await client.post('signed', { body: JSON.stringify({ amount: 5 }), headers: { 'Idempotency-Key': 'order-1' } })
    ).json(),
  );
  const { headers } = await (await client.get('headers')).json();
  console.log('what went over the wire →', {
    'X-Api-Key': headers['X-API-Key'],
    'X-Timestamp': headers['X-Timestamp'],
    'X-Signature': `${String(headers['X-Signature']).slice(0, 8)}…`,
  });
} finally {
  await server.close();
}
