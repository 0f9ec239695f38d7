/**
 * Client authentication at the token and revocation endpoints (RFC 6749 §2.3): HTTP Basic or
 * client_id/client_secret in the body, one way only; a public client sends no secret.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { parseAuthorization } from '../../http/index.ts';
import type { ClientRecord, ClientStore } from '../../stores/types.ts';
import { OAuthFailure } from './oauth-failure.ts';
import { refuseControls } from './oauth-form.ts';

const secretMatches = (secret: string, hash: string) => {
  const given = createHash('sha256').update(secret).digest();
  const stored = Buffer.from(hash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
};

// RFC 6749 §2.3.1: the Basic pair is form-urlencoded before base64.
const formDecode = (value: string) => {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
};

export async function authenticateClient(
  request: Request,
  form: Map<string, string>,
  clients: ClientStore,
): Promise<ClientRecord> {
  const header = request.headers.get('authorization');
  let clientId: string | undefined;
  let secret: string | undefined;
  const byHeader = header !== null;
  if (byHeader) {
    if (form.has('client_secret'))
      throw new OAuthFailure(
        'invalid_request',
        'Authenticate the client one way only: the Authorization header or the body (RFC 6749 §2.3).',
      );
    const parsed = parseAuthorization(header);
    if (!parsed.ok || parsed.credentials.kind !== 'basic')
      throw new OAuthFailure('invalid_client', 'Client authentication must use HTTP Basic.', 401, true);
    clientId = formDecode(parsed.credentials.username);
    secret = formDecode(parsed.credentials.password);
    refuseControls('The client id', clientId);
    refuseControls('The client secret', secret);
    if (form.has('client_id') && form.get('client_id') !== clientId)
      throw new OAuthFailure('invalid_request', 'client_id in the body differs from the authenticated client.');
  } else {
    clientId = form.get('client_id');
    secret = form.get('client_secret');
  }
  if (!clientId)
    throw new OAuthFailure(
      'invalid_client',
      'Identify the client: HTTP Basic, or client_id in the body.',
      byHeader ? 401 : 400,
      byHeader,
    );
  const client = await clients.findClient(clientId);
  const ok =
    client &&
    (client.secretHash === undefined
      ? secret === undefined
      : secret !== undefined && secretMatches(secret, client.secretHash));
  if (!client || !ok)
    throw new OAuthFailure(
      'invalid_client',
      'The client is unknown or its secret is wrong.',
      byHeader ? 401 : 400,
      byHeader,
    );
  return client;
}
