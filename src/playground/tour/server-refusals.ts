/** The guard's refusals: missing, malformed, wrong scheme, expired, insufficient scope. */
import { createClient } from '../../client/index.ts';
import type { ScenarioScript } from './scenario.ts';

export const serverRefusals: ScenarioScript = {
  title: 'Server refusals: missing, malformed, wrong scheme, expired, insufficient scope',
  step: async ({ playground, transport, story }) => {
    const client = createClient({ baseUrl: playground.url, fetch: transport, throwHttpErrors: false, retry: false });
    const expired = (await (await fetch(`${playground.url}/tokens/expired`)).json()).access_token as string;
    const alice = (await (await fetch(`${playground.url}/tokens/valid`)).json()).access_token as string;
    const answers = [
      await client.get('api/me'),
      await client.get('api/me', { headers: { authorization: 'Bearer' } }),
      await client.get('api/me', {
        headers: { authorization: 'Digest username="user", realm="r", nonce="n", uri="/api/me", response="0a4f"' },
      }),
      await client.get('api/me', { headers: { authorization: `Bearer ${expired}` } }),
      await client.get('api/admin', { headers: { authorization: `Bearer ${alice}` } }),
    ];
    const codes = await Promise.all(answers.map(async (r) => `${r.status} ${(await r.json()).code}`));
    story.push(`The guard answered ${codes.join('; ')}.`);
    return (
      codes.join() ===
      '401 credentials_missing,400 credentials_malformed,401 scheme_unsupported,401 token_expired,403 insufficient_scope'
    );
  },
};
