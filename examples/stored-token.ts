// A token fetched with the client credentials grant, stored in a file (mode 0600), reused by
// the next run, and refreshed once when the server refuses it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileTokenStore } from '../src/client/file-store.ts';
import { bearer, createClient, oauth2ClientCredentials } from '../src/client/index.ts';
import { EXAMPLE_ACCOUNTS, startExampleServer } from './support/example-server.ts';

const server = await startExampleServer();
const tokenFile = join(mkdtempSync(join(tmpdir(), 'gatehouse-example-')), 'tokens.json');
try {
  const makeClient = () =>
    createClient({
      baseUrl: server.url,
      auth: bearer(
        oauth2ClientCredentials({
          tokenUrl: `${server.url}oauth/token`,
          clientId: EXAMPLE_ACCOUNTS.clientId,
          clientSecret: EXAMPLE_ACCOUNTS.clientSecret,
          store: fileTokenStore(tokenFile),
        }),
      ),
      onRefresh: (event) => console.log('  refresh after a 401; recovered:', event.recovered),
    });

  console.log('first run →', await (await makeClient().get('bearer')).json());
  console.log('second run, token read from', tokenFile, '→', await (await makeClient().get('bearer')).json());
  console.log('token requests so far:', server.hits.get('/oauth/token'));

  await fetch(`${server.url}revoke-all`); // the server forgets every token it issued
  console.log('after the server revoked it →', await (await makeClient().get('bearer')).json());
  console.log('token requests now:', server.hits.get('/oauth/token'));
} finally {
  await server.close();
}
