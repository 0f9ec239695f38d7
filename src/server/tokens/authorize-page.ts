/**
 * The authorize endpoint's pages for a browser: the sign-in and consent form, and the page that
 * tells the user about a request that cannot be sent back (RFC 6749 §4.1.2.1). Everything shown is
 * escaped; no script, no style from elsewhere, no framing (clickjacking, RFC 9700 §4.16), no cache.
 */
import type { AuthorizationRequest } from './authorize-request.ts';

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
};

const policy = (formAction: string) =>
  `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`;

/**
 * The sign-in form's Content-Security-Policy. Its form posts here and the answer is a 303 to the
 * redirect URI; CSP3 form-action governs the navigation the form starts, and Chromium checks it at
 * that redirect too, so the redirect URI's origin (or a private-use scheme, RFC 8252 §7.1) is named
 * beside 'self', and nothing more of it (its path and query are not a source expression).
 */
export function authorizePagePolicy(redirectUri: string): string {
  const url = URL.parse(redirectUri);
  if (!url) return policy("'self'");
  const source = url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
  // A serialized origin or scheme holds no space, ';' or ',' that could end the directive.
  return policy(/^[\w.+:/[\]-]+$/.test(source) ? `'self' ${source}` : "'self'");
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const htmlText = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function page(title: string, body: string, status: number, headers: Record<string, string>): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${htmlText(title)}</title><style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}label,input,button{display:block;margin:.4rem 0}</style></head>
<body><h1>${htmlText(title)}</h1>${body}</body></html>`;
  return new Response(html, { status, headers: { ...PAGE_HEADERS, ...headers } });
}

/** What the form shows besides the request: the signed-in user, and a message after a failed attempt. */
export interface FormState {
  /** The user already signed in (currentUser): the form asks for consent only. */
  userName?: string;
  message?: string;
  /** Ask for the one-time code of the user's second factor too (the request asked for its acr). */
  secondFactor?: boolean;
}

/** The sign-in and consent form: the request's parameters go back in hidden fields. */
export function authorizePage(
  request: AuthorizationRequest,
  state: FormState,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  const hidden = request.params
    .map(([name, value]) => `<input type="hidden" name="${htmlText(name)}" value="${htmlText(value)}">`)
    .join('');
  const client = request.client.name ? `${request.client.name} (${request.client.clientId})` : request.client.clientId;
  const scopes = request.scope ?? request.client.scopes;
  const credentials =
    state.userName === undefined
      ? '<label>Username <input name="username" autocomplete="username" required></label>' +
        '<label>Password <input name="password" type="password" autocomplete="current-password" required></label>'
      : `<p>Signed in as <b>${htmlText(state.userName)}</b>.</p>`;
  const factor = state.secondFactor
    ? '<label>One-time code <input name="otp" inputmode="numeric" autocomplete="one-time-code" required></label>'
    : '';
  const body = `${state.message ? `<p role="alert">${htmlText(state.message)}</p>` : ''}
<p><b>${htmlText(client)}</b> asks for access to your account${scopes.length ? ` with scopes: <b>${htmlText(scopes.join(' '))}</b>` : ''}.</p>
${request.resources.length ? `<p>For: ${htmlText(request.resources.join(', '))}</p>` : ''}
<form method="post">${hidden}${credentials}${factor}
<button name="decision" value="allow">Allow</button><button name="decision" value="deny" formnovalidate>Deny</button></form>
<p>You will be sent back to ${htmlText(request.redirectUri)}</p>`;
  return page('Sign in to authorize', body, status, {
    ...headers,
    'content-security-policy': authorizePagePolicy(request.redirectUri),
  });
}

/** A request that cannot be sent back to the application: the user reads why. */
export function authorizeErrorPage(code: string, description: string, status = 400): Response {
  // No form here: it may send nothing anywhere.
  const headers: Record<string, string> = { 'content-security-policy': policy("'none'") };
  if (status === 405) headers['allow'] = 'GET, POST';
  return page(
    'This sign-in request cannot be completed',
    `<p>${htmlText(description)}</p><p><code>${htmlText(code)}</code></p>`,
    status,
    headers,
  );
}
