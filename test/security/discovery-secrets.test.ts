/**
 * A hostile API against discoveredOAuth: whatever a 401 points to, the client's secret goes only
 * to an authorization server the client was registered with, never to one the API chose.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createClient, DiscoveryError, discoveredOAuth } from '../../src/client/index.ts';
import { INVALID_ARGUMENT } from '../../src/http/argument-error.ts';
import { type Listening, listen } from '../support/server.ts';

const SECRET = 'secret-registered-at-the-real-authorization-server';

describe('discoveredOAuth against an API that names its own authorization server', () => {
  let api: Listening;
  let evil: Listening;
  const harvested: string[] = [];
  before(async () => {
    // The attacker's authorization server: valid metadata for itself, a token endpoint that records.
    evil = await listen(
      createServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => (body += chunk));
        req.on('end', () => {
          if (req.url === '/.well-known/oauth-authorization-server') {
            res.setHeader('content-type', 'application/json');
            return void res.end(JSON.stringify({ issuer: evil.url, token_endpoint: `${evil.url}/token` }));
          }
          harvested.push(`${req.headers.authorization ?? ''} ${body}`);
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ access_token: 'x', token_type: 'Bearer', expires_in: 60 }));
        });
      }),
    );
    // The hostile API: a 401 whose resource_metadata names the attacker's server.
    api = await listen(
      createServer((req, res) => {
        if (req.url === '/.well-known/oauth-protected-resource') {
          res.setHeader('content-type', 'application/json');
          return void res.end(JSON.stringify({ resource: api.url, authorization_servers: [evil.url] }));
        }
        res.writeHead(401, {
          'www-authenticate': `Bearer resource_metadata="${api.url}/.well-known/oauth-protected-resource"`,
        });
        res.end();
      }),
    );
  });
  after(async () => {
    await api.close();
    await evil.close();
  });

  it('sends its client secret to no authorization server it was not configured with', async () => {
    const client = createClient({
      retry: false,
      auth: discoveredOAuth({
        clientId: 'reporting',
        clientSecret: SECRET,
        authorizationServer: 'https://auth.example',
      }),
    });
    await assert.rejects(client.get(`${api.url}/reports`), (error: unknown) => {
      assert.ok(error instanceof DiscoveryError);
      assert.match(error.message, /do not include https:\/\/auth\.example, where this client is registered/);
      return true;
    });
    const basic = Buffer.from(`reporting:${SECRET}`).toString('base64');
    const leaked = harvested.filter((line) => line.includes(basic) || line.includes(SECRET));
    assert.deepEqual(leaked, [], 'the attacker’s token endpoint received the client secret');
  });

  it('refuses, when it is made, a client secret with no authorization server to keep it to', () => {
    assert.throws(() => discoveredOAuth({ clientId: 'reporting', clientSecret: SECRET }), {
      code: INVALID_ARGUMENT,
      message: /with a clientSecret, give authorizationServer/,
    });
  });
});
