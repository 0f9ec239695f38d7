// Imports every subpath of the built package by its own name, as a consumer would, and checks
// that each offers what its documentation promises. Runs after `npm run build`.
import assert from 'node:assert/strict';

const expected = {
  'gatehouse-http': [
    'parseChallenges',
    'formatChallenges',
    'parseAuthorization',
    'formatAuthorization',
    'parseRetryAfter',
    'parseRateLimit',
    'parseHttpDate',
    'reasons',
    'createProblem',
    'parseProblem',
  ],
  'gatehouse-http/client': [
    'createClient',
    'basic',
    'bearer',
    'apiKey',
    'digest',
    'hmacSignature',
    'headerSignature',
    'oauth2ClientCredentials',
    'oauth2RefreshToken',
    'tokenSource',
    'memoryTokenStore',
    'HttpError',
    'UnauthorizedError',
    'ForbiddenError',
    'RateLimitedError',
    'TimeoutError',
    'NetworkError',
    'AuthenticationError',
    'parseChallenges',
  ],
  'gatehouse-http/client/file-store': ['fileTokenStore', 'TokenFileError'],
  'gatehouse-http/client/redis-store': ['redisTokenStore'],
  'gatehouse-http/client/loopback-login': ['loopbackLogin'],
  'gatehouse-http/client/undici': ['undiciTransport'],
  'gatehouse-http/server': [
    'createGuard',
    'memoryStore',
    'memoryIdempotency',
    'basicScheme',
    'bearerScheme',
    'apiKeyScheme',
    'sessionScheme',
    'signatureScheme',
    'requireScopes',
    'requireRoles',
    'allOf',
    'anyOf',
    'allow',
    'hashPassword',
    'verifyPassword',
    'createApiKey',
    'issueSession',
    'formatChallenges',
    'createProblem',
    'reasons',
  ],
  'gatehouse-http/node': ['protect', 'mountFetch', 'idempotency', 'toWebRequest'],
  'gatehouse-http/express': ['protect', 'mountFetch', 'idempotency', 'preflight'],
  'gatehouse-http/fastify': ['gatehousePlugin', 'protect', 'mountFetch', 'idempotency'],
  'gatehouse-http/hono': ['protect', 'protectHandler', 'mountFetch', 'idempotency', 'preflight'],
  'gatehouse-http/doctor': ['diagnose', 'diagnoseHar', 'inspectToken', 'renderTerminal', 'renderMarkdown', 'exitCode'],
  'gatehouse-http/stores/sqlite': ['sqliteStore'],
  'gatehouse-http/stores/postgres': ['postgresStore'],
  'gatehouse-http/stores/redis': ['redisDenyList', 'redisNonces'],
};

for (const [specifier, names] of Object.entries(expected)) {
  const module = await import(specifier);
  for (const name of names) assert.ok(name in module, `${specifier} does not export ${name}`);
}
console.log(`exports ok: ${Object.keys(expected).join(', ')}`);
