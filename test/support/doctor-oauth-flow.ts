/**
 * For the doctor's code-redemption findings: a loopback authorization server that checks codes as
 * RFC 6749 §4.1 and RFC 7636 say (single use, exact redirect_uri, S256 only), and a recorder that
 * writes real exchanges with it into HAR entries, as a browser's devtools export them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { json, type serverPerTest } from './server.ts';

export const CLIENT_ID = 'demo-client';
export const CLIENT_SECRET = 'client-secret-4f8a1c9e7b2d';
export const REDIRECT_URI = 'http://127.0.0.1:9/callback';

export const newVerifier = () => randomBytes(32).toString('base64url');
export const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

interface Issued {
  challenge: string | null;
  method: string | null;
  redirectUri: string | null;
  used: boolean;
}

const refuse = (res: ServerResponse, error: string, description: string) =>
  json(res, 400, { error, error_description: description }, { 'cache-control': 'no-store' });

/** The authorization server; `expired` makes it refuse every code as expired (a cause the request does not show). */
export async function authorizationServer(
  serve: ReturnType<typeof serverPerTest>,
  options: { expired?: boolean } = {},
) {
  const issued = new Map<string, Issued>();
  return serve((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/authorize') {
      const code = randomBytes(16).toString('base64url');
      const q = url.searchParams;
      issued.set(code, {
        challenge: q.get('code_challenge'),
        method: q.get('code_challenge_method'),
        redirectUri: q.get('redirect_uri'),
        used: false,
      });
      const back = new URL(q.get('redirect_uri') ?? REDIRECT_URI);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (url.pathname !== '/token' || req.method !== 'POST') return json(res, 404, {});
    const form = new URLSearchParams(body.toString());
    const grant = issued.get(form.get('code') ?? '');
    if (!grant) return refuse(res, 'invalid_grant', 'unknown code');
    if (grant.used) return refuse(res, 'invalid_grant', 'code already used');
    grant.used = true;
    if (options.expired) return refuse(res, 'invalid_grant', 'code expired');
    const verifier = form.get('code_verifier');
    if (verifier === null) return refuse(res, 'invalid_request', 'code_verifier required');
    if (grant.method !== 'S256' || grant.challenge === null) return refuse(res, 'invalid_grant', 'PKCE S256 required');
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return refuse(res, 'invalid_grant', 'bad code_verifier');
    if (s256(verifier) !== grant.challenge) return refuse(res, 'invalid_grant', 'PKCE check failed');
    if (form.get('redirect_uri') !== grant.redirectUri) return refuse(res, 'invalid_grant', 'redirect_uri mismatch');
    json(res, 200, { access_token: randomBytes(24).toString('base64url'), token_type: 'Bearer', expires_in: 300 });
  });
}

type Pairs = Array<[string, string]>;

/** A request sent for real, recorded as a HAR entry (redirects not followed, as devtools shows them). */
export async function recordEntry(method: string, url: string, form?: Record<string, string>) {
  const text = form ? new URLSearchParams(form).toString() : undefined;
  const headers: Pairs = text ? [['Content-Type', 'application/x-www-form-urlencoded']] : [];
  const response = await fetch(url, {
    method,
    redirect: 'manual',
    headers,
    ...(text !== undefined ? { body: text } : {}),
  });
  const pairs = (list: Pairs) => list.map(([name, value]) => ({ name, value }));
  return {
    request: {
      method,
      url,
      headers: pairs(headers),
      ...(text !== undefined ? { postData: { mimeType: 'application/x-www-form-urlencoded', text } } : {}),
    },
    response: {
      status: response.status,
      statusText: response.statusText,
      headers: pairs([...response.headers]),
      content: { text: await response.text() },
    },
  };
}

/** The authorize request sent for real and its answer recorded; the code its Location carries. */
export async function authorize(origin: string, query: Record<string, string>) {
  const params = { response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, state: 'xyz', ...query };
  const entry = await recordEntry('GET', `${origin}/authorize?${new URLSearchParams(params)}`);
  const location = entry.response.headers.find((h) => h.name === 'location')!.value;
  return { entry, code: new URL(location).searchParams.get('code')! };
}

/** The token request, for real, recorded. */
export function redeem(origin: string, form: Record<string, string>) {
  return recordEntry('POST', `${origin}/token`, {
    grant_type: 'authorization_code',
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    ...form,
  });
}

/** A HAR file holding `entries`, in a fresh temporary folder. */
export function harFile(entries: unknown[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gh-har-')), 'flow.har');
  writeFileSync(file, JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, entries } }));
  return file;
}
