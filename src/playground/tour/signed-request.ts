/** An HMAC-signed request in the X-API-Key / X-Timestamp / X-Nonce / X-Signature headers. */
import { createClient, headerSignature } from '../../client/index.ts';
import { DEMO } from '../seed.ts';
import type { ScenarioScript } from './scenario.ts';

export const signedRequest: ScenarioScript = {
  title: 'A signed request (X-API-Key, X-Timestamp, X-Nonce, X-Signature)',
  step: async ({ playground, transport, story }) => {
    const client = createClient({
      baseUrl: playground.url,
      fetch: transport,
      auth: headerSignature(DEMO.signing.keyId, DEMO.signing.secret),
    });
    const body = await (
      await client.post('api/signed', {
        body: JSON.stringify({ amount: 5 }),
        headers: { 'content-type': 'application/json', 'idempotency-key': 'demo-order-1' },
      })
    ).json();
    story.push(
      'Signed the key id, method, host, path, timestamp, a fresh nonce and the body digest with HMAC-SHA256; the secret never left the client.',
    );
    return body.verified === true;
  },
};
