/** A static Bearer token, to httpbin's /bearer. */
import { bearer, createClient } from '../../client/index.ts';
import type { ScenarioScript } from './scenario.ts';

export const bearerToken: ScenarioScript = {
  title: 'A Bearer token (httpbin /bearer)',
  step: async ({ playground, transport, story }) => {
    const client = createClient({
      baseUrl: playground.url,
      fetch: transport,
      auth: bearer('demo-static-token-0123456789'),
    });
    const body = await (await client.get('bearer')).json();
    story.push('Attached the token as Authorization: Bearer; the server echoed it (masked here).');
    return body.authenticated === true;
  },
};
