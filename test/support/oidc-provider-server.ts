/**
 * oidc-provider (an OpenID Certified authorization server, nobody here wrote it) in this process
 * on a loopback port, for the client's interop tests. Sign-in is finished at once for `alice` by
 * the test's own interaction routes, which grant what was asked at once, so that a test
 * plays the browser by following redirects alone. Resource indicators (RFC 8707) are on: a token
 * for `resource` is a JWT signed with `publicKey`'s pair, audience the resource. DPoP is on
 * (`dpopNonces` adds server nonces).
 */

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair } from 'jose';
import Provider, { type Context } from 'oidc-provider';

export interface OidcProviderServer {
  issuer: string;
  /** The API whose tokens are JWTs. */
  resource: string;
  publicKey: CryptoKey;
  provider: Provider;
  close(): Promise<void>;
}

export interface OidcProviderOptions {
  /** The resource server's identifier, known before the provider starts (RFC 8707). */
  resource: string;
  /** Redirect URIs of the public native client `cli`. @default ['http://127.0.0.1/callback'] */
  redirectUris?: string[];
  /**
   * DPoP (RFC 9449, on by default in oidc-provider 9) with server nonces: a secret for them, and
   * every proof at the token endpoint must carry one (§8). @default false (DPoP on, no nonces)
   */
  dpopNonces?: boolean;
}

export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcProviderServer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const server: Server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { resource } = options;

  const provider = new Provider(issuer, {
    jwks: { keys: [jwk] },
    clients: [
      {
        client_id: 'service',
        id_token_signed_response_alg: 'ES256',
        client_secret: 'service-secret-value',
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: 'cli',
        id_token_signed_response_alg: 'ES256',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: options.redirectUris ?? ['http://127.0.0.1/callback'],
      },
    ],
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true },
      revocation: { enabled: true },
      clientCredentials: { enabled: true },
      dPoP: options.dpopNonces
        ? { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true }
        : { enabled: true },
      resourceIndicators: {
        enabled: true,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: Context, indicator: string) => {
          if (indicator !== resource) throw new Provider.errors.InvalidTarget();
          return { scope: 'api:read', audience: resource, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
        },
      },
    },
    scopes: ['openid', 'offline_access', 'api:read'],
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      RefreshToken: 3600,
      Session: 3600,
    },
    pkce: { required: () => true },
    issueRefreshToken: (_ctx: Context, client: { grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    interactions: { url: (_ctx: Context, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx: Context, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
  });
  const callback = provider.callback();
  handle = (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      finishInteraction(provider, resource, req, res).catch(() => {
        res.statusCode = 500;
        res.end();
      });
      return;
    }
    callback(req, res);
  };
  return {
    issuer,
    resource,
    publicKey,
    provider,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The sign-in and consent pages, answered at once: alice signs in and grants what was asked. */
async function finishInteraction(provider: Provider, resource: string, req: IncomingMessage, res: ServerResponse) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: 'alice' } });
    return;
  }
  const grant = new provider.Grant({ clientId: details.params['client_id'] as string, accountId: 'alice' });
  const missing = details.prompt.details as {
    missingOIDCScope?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  grant.addOIDCScope(['openid', 'offline_access', ...(missing.missingOIDCScope ?? [])].join(' '));
  grant.addResourceScope(resource, 'api:read');
  await provider.interactionFinished(
    req,
    res,
    { consent: { grantId: await grant.save() } },
    { mergeWithLastSubmission: true },
  );
}
