/** A revoked access token: the client refreshes once on the 401 and resends. */
import { bearer, createClient, oauth2ClientCredentials } from '../../client/index.ts';
import { DEMO } from '../seed.ts';
import type { ScenarioScript } from './scenario.ts';

export const refreshOn401: ScenarioScript = {
  title: 'Refresh on 401: the token was revoked, the client refreshes once and retries',
  step: async ({ playground, transport, story }) => {
    let refreshes = 0;
    const tokens = oauth2ClientCredentials({
      tokenUrl: `${playground.url}/oauth/token`,
      clientId: DEMO.serviceClient.id,
      clientSecret: DEMO.serviceClient.secret,
      fetch: transport,
    });
    const client = createClient({
      baseUrl: playground.url,
      fetch: transport,
      auth: bearer(tokens),
      onRefresh: () => refreshes++,
    });
    await client.get('api/me');
    const current = await tokens.getToken();
    await fetch(`${playground.url}/oauth/revoke`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${btoa(`${DEMO.serviceClient.id}:${DEMO.serviceClient.secret}`)}`,
      },
      body: new URLSearchParams({ token: current.accessToken }),
    });
    story.push('(The server revoked the access token behind the client’s back.)');
    const response = await client.get('api/me');
    story.push(
      `Got 401 token_revoked, fetched one new token (${refreshes} refresh), and sent the request again: ${response.status}.`,
    );
    return response.status === 200 && refreshes === 1;
  },
};
