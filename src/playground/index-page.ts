/** GET /: every route with a line on what it does, and the demo accounts. */
import { createHash } from 'node:crypto';
import { DEMO } from './seed.ts';

const STYLE =
  'body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}td{padding:.2rem .8rem;vertical-align:top}code{font-size:13px}';

/**
 * The page's Content-Security-Policy: its one inline style, allowed by hash (CSP3 §8.2); no
 * script, frame, form or base, so even markup that slipped into it could do nothing.
 */
export const INDEX_POLICY = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;

export const ROUTES: ReadonlyArray<[string, string]> = [
  ['GET /basic-auth/:user/:passwd', 'httpbin: 200 with the right Basic pair, else 401 Basic realm="Fake Realm"'],
  ['GET /hidden-basic-auth/:user/:passwd', 'httpbin: as above, but 404 instead of 401'],
  [
    'GET /digest-auth/:qop/:user/:passwd[/:algorithm[/:stale_after]]',
    'httpbin: Digest (MD5, SHA-256, SHA-512), stale nonces',
  ],
  ['GET /bearer', 'httpbin: any Bearer token is accepted; none gets 401 Bearer'],
  ['ANY /status/:codes', 'httpbin: that status, or a weighted pick (200:0.9,401:0.1)'],
  ['GET /headers, /get, /ip, /user-agent, /uuid', 'httpbin: what the server received'],
  ['ANY /anything[/*]', 'httpbin: the whole request echoed'],
  [
    'GET /redirect-to?url=, /redirect/:n, /absolute-redirect/:n, /relative-redirect/:n',
    'httpbin: redirects (/redirect-to: http(s) targets only, others 400)',
  ],
  ['GET /delay/:n', 'httpbin: answers after n seconds (10 at most)'],
  ['GET /cookies, /cookies/set?k=v, /cookies/set/:name/:value, /cookies/delete?k', 'httpbin: cookies'],
  [
    'ANY /response-headers?k=v',
    'httpbin: sets the response headers asked for (Content-Type JSON or text/plain; 400 for Set-Cookie, security and framing headers)',
  ],
  [
    'GET /oauth/authorize',
    'OAuth 2.1: sign in and consent, then back to the app with a single-use code (PKCE S256 only; iss, RFC 9207)',
  ],
  [
    'POST /oauth/token',
    "authorization_code, client_credentials, refresh_token (rotated, reuse-detected); the legacy password grant, kept on here for the FastAPI tutorial's clients (RFC 9700 §2.4 says not to use it)",
  ],
  ['POST /oauth/revoke, POST /oauth/introspect', 'RFC 7009 revocation; RFC 7662 introspection (confidential clients)'],
  ['GET /.well-known/jwks.json, /.well-known/oauth-authorization-server', 'keys and metadata'],
  [
    'GET /.well-known/oauth-protected-resource',
    "RFC 9728: the API's own metadata, named in its Bearer challenges (resource_metadata)",
  ],
  ['ANY /api/me', 'any scheme: Bearer (tokens from /oauth/token), Basic, X-API-Key, signed requests'],
  ['ANY /api/admin', 'needs scope admin: 403 insufficient_scope otherwise'],
  [
    'ANY /api/staff',
    'needs role admin (a bearer token carries it when granted scope role:admin): 403 forbidden otherwise',
  ],
  [
    'ANY /api/step-up',
    'RFC 9470 step-up: needs a sign-in with the one-time code (acr mfa) in the last 300 s: 401 insufficient_user_authentication with acr_values and max_age otherwise; sign in at /oauth/authorize with acr_values=mfa',
  ],
  ['ANY /api/signed', 'signed requests only (X-API-Key, X-Timestamp, X-Nonce, X-Signature)'],
  ['POST /session/login, ANY /api/session', 'a cookie session; unsafe methods need X-CSRF-Token'],
  ['GET /tokens/expired, /tokens/not-yet-valid, /tokens/valid', 'access tokens with those times'],
  [
    'ANY /limited?budget=3&window=2[&status=503][&form=date]',
    '429 (or 503) with Retry-After and RateLimit fields past the budget',
  ],
  ['GET /unavailable?retry_after=2[&form=date]', '503 with Retry-After'],
  ['ANY /flaky/:n?id=…[&mode=reset][&status=…]', 'fails n times (503 or a reset connection), then succeeds'],
  ['ANY /fault/reset', 'drops the connection'],
  ['GET /fault/slow-headers/:ms, /fault/slow-body/:ms, /fault/cut-body', 'slow headers, slow body, body cut halfway'],
  ['GET /cross-origin/redirect?path=/headers', 'a redirect to the second listening port'],
  [
    'POST /orders[?chaos=0.3], GET /orders/:key',
    'an order behind idempotency() (Idempotency-Key), with that share of faults (resets, 503/429, slow or cut answers); how many times a key took effect',
  ],
];

const NO_ACCOUNTS = `<h2>Demo accounts</h2>
<p>Not created: this playground runs on a store it does not own. Add users with <code>gatehouse users add</code> and clients with <code>gatehouse clients add</code>; the signing key <code>${DEMO.signing.keyId}</code> / <code>${DEMO.signing.secret}</code> (signed requests) lives in the playground's memory.</p>`;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]!);

export interface IndexPageOptions {
  /** False when the playground runs on a store it does not own, where it plants no demo account. */
  demoAccounts: boolean;
}

export function indexPage({ demoAccounts }: IndexPageOptions): string {
  const rows = ROUTES.map(
    ([route, what]) => `<tr><td><code>${escapeHtml(route)}</code></td><td>${escapeHtml(what)}</td></tr>`,
  ).join('\n');
  const users = DEMO.users
    .map(
      (u) =>
        `<li><code>${u.username}</code> / <code>${u.password}</code> (scopes ${u.scopes.join(' ')}; roles ${u.roles.join(' ')})</li>`,
    )
    .join('\n');
  const accounts = `<h2>Demo accounts</h2><ul>
${users}
<li>public client <code>${DEMO.publicClient}</code> (authorization code with PKCE to <code>http://127.0.0.1:ANY-PORT/callback</code>, refresh_token; the legacy password grant)</li>
<li>confidential client <code>${DEMO.serviceClient.id}</code> / <code>${DEMO.serviceClient.secret}</code> (client_credentials)</li>
<li>API key <code>${DEMO.apiKey.key}</code> (X-API-Key)</li>
<li>one-time code <code>${DEMO.oneTimeCode}</code> for every user, asked when a client sends acr_values=mfa (demo only: fixed and published)</li>
<li>signing key <code>${DEMO.signing.keyId}</code> / <code>${DEMO.signing.secret}</code> (signed requests)</li>
</ul>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gatehouse playground</title>
<style>${STYLE}</style></head>
<body><h1>Gatehouse playground</h1>
<p>httpbin's auth endpoints, answer for answer, and what httpbin cannot simulate. Demo accounts only: never use them elsewhere.</p>
${demoAccounts ? accounts : NO_ACCOUNTS}
<h2>Routes</h2><table>
${rows}
</table></body></html>
`;
}
