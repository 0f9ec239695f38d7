import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { namesCalledResource, resourceMetadataUrl } from '../../../src/client/discovery/resource-metadata.ts';

describe('namesCalledResource (RFC 9728 §3.3)', () => {
  const called = new URL('https://api.example.com/v1/me?x=1');
  const cases: [string, boolean][] = [
    ['https://api.example.com/v1/me', true],
    ['https://api.example.com/v1', true],
    ['https://api.example.com/v1/', true],
    ['https://api.example.com', true],
    ['https://api.example.com/', true],
    ['https://api.example.com/v', false], // not a whole segment
    ['https://api.example.com/v1/me/more', false],
    ['https://api.example.com/v2', false],
    ['http://api.example.com/v1', false], // another scheme
    ['https://api.example.com:8443/v1', false],
    ['https://evil.example/v1', false],
    ['https://api.example.com/v1#frag', false],
    ['https://api.example.com/v1?q', false],
    ['https://API.example.com/v1', false], // not in its normal form
    ['not a url', false],
  ];
  for (const [resource, expected] of cases)
    it(`${resource} → ${expected}`, () => assert.equal(namesCalledResource(resource, called), expected));
});

describe('resourceMetadataUrl', () => {
  const called = new URL('https://api.example.com/v1/me');
  it('reads resource_metadata from the Bearer challenge', () => {
    const response = new Response(null, {
      status: 401,
      headers: {
        'www-authenticate':
          'Basic realm="x", Bearer resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/v1"',
      },
    });
    assert.equal(
      resourceMetadataUrl(response, called)?.href,
      'https://api.example.com/.well-known/oauth-protected-resource/v1',
    );
  });
  it('is undefined without one', () => {
    const response = new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer realm="api"' } });
    assert.equal(resourceMetadataUrl(response, called), undefined);
  });
});
