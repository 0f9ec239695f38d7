import { getOAuthError, parseAuthorization } from '../../http/index.ts';
import { oauthDescription, oauthError, requestForm } from '../readings/code-redemption.ts';
import { received, statusLine } from '../readings/evidence.ts';
import type { Context, Rule } from '../types.ts';

/**
 * RFC 6749 §5.2: `invalid_client` is the token endpoint refusing the client's own authentication
 * (§2.3.1: its id and secret, in HTTP Basic or in the form), not a user's. A Basic challenge beside
 * it (§5.2: 401 when the client used the Authorization header) asks again for the client's pair.
 */
export const clientAuthenticationFailed: Rule = {
  code: 'client_authentication_failed',
  summary:
    'A token endpoint answered `invalid_client` (RFC 6749 §5.2): it refused the client id and secret, sent in HTTP Basic or in the form (RFC 6749 §2.3.1).',
  rank: 3,
  check(context) {
    const exchange = context.primary;
    const status = exchange.response?.status;
    if ((status !== 400 && status !== 401) || exchange.request.method !== 'POST') return undefined;
    if (oauthError(exchange) !== 'invalid_client') return undefined;
    const { clientId, ways } = clientAuthentication(context);
    const description = oauthDescription(exchange);
    return {
      code: 'client_authentication_failed',
      severity: 'error',
      title: `The token endpoint refuses the client id and secret${clientId === undefined ? '' : ` (client ${JSON.stringify(clientId)})`}`,
      evidence: [
        `> POST ${new URL(exchange.request.url).pathname}  client authentication: ${ways.join(' and ') || 'none'}`,
        statusLine(exchange),
        ...received(exchange, 'www-authenticate'),
        `< error = "invalid_client" (${getOAuthError('invalid_client')!.defined})`,
        ...(description ? [`< error_description = ${JSON.stringify(description)}`] : []),
      ],
      fix:
        `${getOAuthError('invalid_client')!.hint} Use the secret registered for this client id, as issued (no whitespace around it); ` +
        'in HTTP Basic the id and secret are each form-encoded before base64 (RFC 6749 §2.3.1).' +
        (ways.length > 1 ? ' This request sent both: drop one.' : ''),
    };
  },
};

/** How the client authenticated (names only, never the secret), and the client id it gave. */
function clientAuthentication(context: Context): { clientId: string | undefined; ways: string[] } {
  const ways: string[] = [];
  let clientId: string | undefined;
  const parsed = context.authorization.length === 1 ? parseAuthorization(context.authorization[0]) : undefined;
  if (parsed?.ok && parsed.credentials.kind === 'basic') {
    ways.push('HTTP Basic (client_secret_basic)');
    clientId = formDecoded(parsed.credentials.username);
  }
  const form = requestForm(context);
  if (form?.has('client_secret')) ways.push('client_secret in the form (client_secret_post)');
  return { clientId: clientId ?? form?.get('client_id') ?? undefined, ways };
}

/** RFC 6749 §2.3.1: the id in Basic is form-encoded; shown as registered. */
function formDecoded(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
