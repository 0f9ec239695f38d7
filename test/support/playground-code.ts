/**
 * A real authorization code from the playground's authorization server: alice signs in at the
 * built-in form and allows playground-app, as a browser would; the code from the redirect back.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

export const PLAYGROUND_REDIRECT_URI = 'http://127.0.0.1:5555/callback';

export async function playgroundCode(origin: string, verifier: string): Promise<string> {
  const form = new URLSearchParams({
    response_type: 'code',
    client_id: 'playground-app',
    redirect_uri: PLAYGROUND_REDIRECT_URI,
    scope: 'read',
    state: 'state-1',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    username: 'alice',
    password: 'alice-password',
    decision: 'allow',
  });
  const answer = await fetch(`${origin}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  const code = new URL(answer.headers.get('location') ?? 'about:blank').searchParams.get('code');
  assert.ok(code, `a code in the redirect back (status ${answer.status})`);
  return code;
}
