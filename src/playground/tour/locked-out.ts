/** Login protection at the token endpoint: the sixth wrong password is locked out. */
import { DEMO } from '../seed.ts';
import type { ScenarioScript } from './scenario.ts';

export const lockedOut: ScenarioScript = {
  title: 'Locked out: repeated wrong passwords at the token endpoint',
  step: async ({ playground, transport, story }) => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await transport(
        new Request(`${playground.url}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'password',
            client_id: DEMO.publicClient,
            username: 'admin',
            password: `guess-${i}`,
          }),
        }),
      );
      statuses.push(response.status);
    }
    story.push(
      `Five wrong passwords got 400 invalid_grant; the sixth attempt got ${statuses[5]} locked_out with Retry-After, whatever the password.`,
    );
    return statuses.slice(0, 5).every((s) => s === 400) && statuses[5] === 429;
  },
};
