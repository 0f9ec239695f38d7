/** A wrong Basic password: one 401, thrown at once, never retried. */
import { basic, createClient, UnauthorizedError } from '../../client/index.ts';
import { errorName, type ScenarioScript } from './scenario.ts';

export const basicAuthWrongPassword: ScenarioScript = {
  title: 'Basic auth with a wrong password',
  step: async ({ playground, transport, story, log }) => {
    const client = createClient({ baseUrl: playground.url, fetch: transport, auth: basic('user', 'wrong_password') });
    const error = await client.get('basic-auth/user/passwd').catch((e: unknown) => e);
    story.push(`Threw ${errorName(error)} at once: the same pair would fail again, so nothing was retried.`);
    return (
      error instanceof UnauthorizedError && error.challenges[0]?.params['realm'] === 'Fake Realm' && log.length === 1
    );
  },
};
