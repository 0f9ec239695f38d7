/** Basic credentials sent up front, to httpbin's /basic-auth. */
import { basic, createClient } from '../../client/index.ts';
import type { ScenarioScript } from './scenario.ts';

export const basicAuth: ScenarioScript = {
  title: 'Basic auth with the right password (httpbin /basic-auth)',
  step: async ({ playground, transport, story }) => {
    const client = createClient({ baseUrl: playground.url, fetch: transport, auth: basic('user', 'passwd') });
    const body = await (await client.get('basic-auth/user/passwd')).json();
    story.push('Sent Basic credentials (UTF-8, RFC 7617) with the first request; no 401 round trip.');
    return body.authenticated === true;
  },
};
