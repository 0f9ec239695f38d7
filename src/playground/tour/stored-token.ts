/** A client-credentials token kept in a file store and read back by the next run. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileTokenStore } from '../../client/file-store.ts';
import { bearer, createClient, oauth2ClientCredentials } from '../../client/index.ts';
import { DEMO } from '../seed.ts';
import type { ScenarioScript } from './scenario.ts';

export const storedToken: ScenarioScript = {
  title: 'A token stored in a file, and reused by the next run',
  step: async ({ playground, transport, story, log }) => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-demo-'));
    try {
      const run = () =>
        createClient({
          baseUrl: playground.url,
          fetch: transport,
          auth: bearer(
            oauth2ClientCredentials({
              tokenUrl: `${playground.url}/oauth/token`,
              clientId: DEMO.serviceClient.id,
              clientSecret: DEMO.serviceClient.secret,
              store: fileTokenStore(join(dir, 'tokens.json')),
              fetch: transport,
            }),
          ),
        });
      await run().get('api/me');
      await run().get('api/me');
      const tokenCalls = log.filter((e) => e.sent.startsWith('POST /oauth/token')).length;
      story.push(
        `The first run fetched a token (client_credentials) and wrote it to ${join(dir, 'tokens.json')} (mode 0600); the second read it back: ${tokenCalls} token request in all.`,
      );
      return tokenCalls === 1;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
