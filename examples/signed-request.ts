// Signed requests: X-API-Key, X-Timestamp, X-Nonce and an HMAC-SHA256 X-Signature over method,
// authority, path and query, timestamp, nonce and body. The server verifies; the secret is never sent.
import { createClient, labSignature } from '../src/client/index.ts';
import { LAB, startLabServer } from './support/lab-server.ts';

const lab = await startLabServer();
try {
  const client = createClient({ baseUrl: lab.url, auth: labSignature(LAB.apiKey, LAB.apiSecret) });
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
  await lab.close();
}
