/** The playground's CORS policy: a loopback page's preflight for Authorization is answered without credentials. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { playgroundPerFile } from '../support/playground.ts';

const pg = playgroundPerFile();

describe('playground: OAuth and the guarded routes', () => {
  it('answers a CORS preflight for Authorization from a loopback page without asking for credentials', async () => {
    const response = await fetch(`${pg.url}/api/me`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    assert.match(String(response.headers.get('access-control-allow-headers')), /authorization/i);
  });
});
