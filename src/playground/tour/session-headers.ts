/** A session: default headers on every request, and the cookie jar. */
import { createClient } from '../../client/index.ts';
import type { ScenarioScript } from './scenario.ts';

export const sessionHeaders: ScenarioScript = {
  title: 'A session: default headers on every request, cookies kept',
  step: async ({ playground, transport, story }) => {
    const session = createClient({
      baseUrl: playground.url,
      fetch: transport,
      headers: { 'User-Agent': 'MyApp/1.0', 'X-Team': 'platform' },
      cookies: true,
    });
    const { headers } = await (await session.get('headers')).json();
    await session.get('cookies/set?session=demo-session-value');
    const { cookies } = await (await session.get('cookies')).json();
    story.push('Sent the default headers with each request, and the cookie the server set with the next.');
    return (
      headers['User-Agent'] === 'MyApp/1.0' &&
      headers['X-Team'] === 'platform' &&
      cookies.session === 'demo-session-value'
    );
  },
};
