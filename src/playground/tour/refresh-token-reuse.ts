/** A rotated refresh token presented again revokes its whole family (RFC 9700 §4.14.2). */
import { DEMO } from '../seed.ts';
import type { ScenarioScript } from './scenario.ts';

export const refreshTokenReuse: ScenarioScript = {
  title: 'Refresh-token reuse: a rotated token presented again revokes its family',
  step: async ({ playground, transport, story }) => {
    const form = (body: Record<string, string>) =>
      transport(
        new Request(`${playground.url}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(body),
        }),
      ).then((r) => r.json());
    const login = await form({
      grant_type: 'password',
      client_id: DEMO.publicClient,
      username: 'alice',
      password: 'alice-password',
    });
    const rotated = await form({
      grant_type: 'refresh_token',
      client_id: DEMO.publicClient,
      refresh_token: login.refresh_token,
    });
    await new Promise((r) => setTimeout(r, 1100)); // past the playground's 1 s grace window
    const reuse = await form({
      grant_type: 'refresh_token',
      client_id: DEMO.publicClient,
      refresh_token: login.refresh_token,
    });
    const legit = await form({
      grant_type: 'refresh_token',
      client_id: DEMO.publicClient,
      refresh_token: rotated.refresh_token,
    });
    story.push(
      'The old refresh token came back after its rotation: the server revoked the whole family, so the newer token died too (RFC 9700 §4.14.2).',
    );
    return (
      typeof rotated.refresh_token === 'string' && reuse.error === 'invalid_grant' && legit.error === 'invalid_grant'
    );
  },
};
