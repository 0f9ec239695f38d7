/**
 * The sign-in page's Content-Security-Policy: nothing runs or loads, and the form may go only to
 * this server and on to the redirect URI it sends the browser back to (CSP3 form-action, which
 * Chromium enforces on the redirect after the form's POST as well).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorizePagePolicy } from '../../../src/server/tokens/authorize-page.ts';

describe('authorizePagePolicy', () => {
  it("names the redirect URI's origin, never its path or query, beside 'self' in form-action", () => {
    const policy = authorizePagePolicy('http://127.0.0.1:5173/callback?x=1;script-src%20*');
    assert.match(policy, /(^|; )form-action 'self' http:\/\/127\.0\.0\.1:5173(;|$)/);
    assert.match(policy, /(^|; )default-src 'none'(;|$)/);
    assert.match(policy, /(^|; )frame-ancestors 'none'(;|$)/);
    assert.ok(!policy.includes('callback') && !policy.includes('script-src'), policy);
  });

  it('names a private-use scheme (RFC 8252 §7.1) as a scheme source', () => {
    assert.match(authorizePagePolicy('com.example.app:/oauth2redirect'), /form-action 'self' com\.example\.app:(;|$)/);
  });

  it("keeps form-action to 'self' for a redirect URI that is not a URL", () => {
    assert.match(authorizePagePolicy('not a url'), /form-action 'self';/);
  });
});
