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

/**
 * What a browser does with an authorize URL the playground's client printed: shows the form,
 * posts alice's answer (and `extra` fields, such as a one-time code) with the request's own parameters, and follows the 303 back to the app.
 * The app's answer to that redirect.
 */
export async function signInAsAlice(
  origin: string,
  authorizeUrl: string,
  extra: Record<string, string> = {},
): Promise<Response> {
  const page = await fetch(authorizeUrl);
  assert.equal(page.status, 200, 'the sign-in form');
  await page.body?.cancel();
  const form = new URLSearchParams(new URL(authorizeUrl).searchParams);
  form.set('username', 'alice');
  form.set('password', 'alice-password');
  form.set('decision', 'allow');
  for (const [name, value] of Object.entries(extra)) form.set(name, value);
  const answer = await fetch(`${origin}/oauth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: form,
  });
  assert.equal(answer.status, 303, 'sent back to the app');
  return fetch(answer.headers.get('location')!);
}
