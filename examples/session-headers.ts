// A reusable session: default headers on every request, and a cookie jar.
import { createClient } from '../src/client/index.ts';
import { startExampleServer } from './support/example-server.ts';

const server = await startExampleServer();
try {
  const session = createClient({
    baseUrl: server.url,
    headers: { 'User-Agent': 'MyApp/1.0', 'X-Team': 'platform' },
    cookies: true,
  });
  const { headers } = await (await session.get('headers')).json();
  console.log('sent with every request →', { 'User-Agent': headers['User-Agent'], 'X-Team': headers['X-Team'] });
  await session.get('cookies/set');
  console.log('cookie kept by the jar →', await (await session.get('cookies')).json());
} finally {
  await server.close();
}
