import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metadataUrls } from '../../../src/client/discovery/authorization-server-metadata.ts';

describe('metadataUrls (RFC 8414 §3.1, then OpenID Connect Discovery)', () => {
  const cases: [string, string[]][] = [
    [
      'https://as.example.com',
      [
        'https://as.example.com/.well-known/oauth-authorization-server',
        'https://as.example.com/.well-known/openid-configuration',
      ],
    ],
    [
      'https://as.example.com/tenant',
      [
        'https://as.example.com/.well-known/oauth-authorization-server/tenant',
        'https://as.example.com/tenant/.well-known/openid-configuration',
      ],
    ],
    [
      'https://as.example.com/tenant/',
      [
        'https://as.example.com/.well-known/oauth-authorization-server/tenant',
        'https://as.example.com/tenant/.well-known/openid-configuration',
      ],
    ],
  ];
  for (const [issuer, expected] of cases)
    it(issuer, () => assert.deepEqual(metadataUrls(new URL(issuer)).map(String), expected));
});
