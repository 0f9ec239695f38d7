/** The guard described in OpenAPI 3.1: its security schemes, and the security requirement of a route. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type Guard, requireScopes } from '../../src/server/index.ts';
import { fixture } from '../support/guard-fixture.ts';

let guard: Guard;
before(async () => {
  guard = (await fixture()).guard(['bearer', 'basic', 'apiKey']);
});

describe('configuration', () => {
  it('describes itself for OpenAPI 3.1', async () => {
    const doc = guard.openapi(requireScopes('admin'));
    assert.deepStrictEqual(doc.securitySchemes, {
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      basic: { type: 'http', scheme: 'basic' },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    });
    assert.deepStrictEqual(doc.security, [{ bearer: ['admin'] }, { basic: [] }, { apiKey: [] }]);
  });
});
