// Basic auth: the right password, then a wrong one (the Python requests guide's first scenario).
// In your project: import { basic, createClient, UnauthorizedError } from 'gatehouse-http/client';
import { basic, createClient, UnauthorizedError } from '../src/client/index.ts';
import { EXAMPLE_ACCOUNTS, startExampleServer } from './support/example-server.ts';

const server = await startExampleServer();
try {
  const good = createClient({ baseUrl: server.url, auth: basic(EXAMPLE_ACCOUNTS.user, EXAMPLE_ACCOUNTS.password) });
  console.log('right password →', await (await good.get('basic-auth/user/passwd')).json());

  const bad = createClient({ baseUrl: server.url, auth: basic(EXAMPLE_ACCOUNTS.user, 'wrong_password') });
  try {
    await bad.get('basic-auth/user/passwd');
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
    console.log('wrong password →', error.status, error.code);
    console.log(
      '  the server offers:',
      error.challenges.map((c) => `${c.scheme} realm="${c.params['realm']}"`).join(', '),
    );
    console.log('  message:', error.message);
  }
} finally {
  await server.close();
}
