// A fixed Bearer token, and what a missing one looks like.
import { bearer, createClient, UnauthorizedError } from '../src/client/index.ts';
import { startExampleServer } from './support/example-server.ts';

const server = await startExampleServer();
try {
  const client = createClient({ baseUrl: server.url, auth: bearer('static-example-token') });
  console.log('with a token →', await (await client.get('bearer')).json());

  const anonymous = createClient({ baseUrl: server.url });
  const error = await anonymous.get('bearer').catch((e: unknown) => e);
  if (!(error instanceof UnauthorizedError)) throw error;
  console.log(
    'without →',
    error.status,
    'challenge:',
    error.challenges[0]?.scheme,
    'error code:',
    error.reason ?? '(none: nothing was sent, RFC 6750 §3.1)',
  );
} finally {
  await server.close();
}
