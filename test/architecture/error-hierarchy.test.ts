/**
 * One error hierarchy: every error class a package entry point exports sits under GatehouseError,
 * and an error of it carries a stable string `code`. The classes are found by importing each entry
 * point package.json names (its source), so a new exported error class without a row here fails.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DpopKeyFileError, TokenFileError } from '../../src/client/file-store.ts';
import {
  AuthenticationError,
  AuthorizationResponseError,
  BodyCutError,
  BodyNotReplayableError,
  CrossOriginCredentialsError,
  DigestDowngradeError,
  DigestRealmError,
  DiscoveryError,
  ForbiddenError,
  HttpError,
  IssuerMismatchError,
  LockedOutError,
  LoginTimeoutError,
  NetworkError,
  OpenBrowserError,
  RateLimitedError,
  RedirectSecretError,
  ResourceMismatchError,
  StepUpRequiredError,
  TabLockError,
  TimeoutError,
  TokenStorageError,
  TooManyRedirectsError,
  UnauthorizedError,
} from '../../src/client/index.ts';
import { TokenLockError } from '../../src/client/redis-store.ts';
import { CurlCommandError, HarError, KeyOptionError } from '../../src/doctor/index.ts';
import { GatehouseError } from '../../src/http/index.ts';
import {
  AuthorizationCodeStoreFullError,
  BodyTooLargeError,
  KeySourceError,
  MissingPeerError,
  NonceStoreFullError,
  RequestInvalidError,
  StoreNotFoundError,
  StoreUnreachableError,
  TokenGrantError,
} from '../../src/server/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const call = { method: 'GET', url: 'https://api.test/x', attempts: 1 };
const answer = (status: number) => ({ ...call, response: new Response(null, { status }) });

/** A class whose instances are errors. */
type ErrorClass = abstract new (...args: never) => Error;

/** Each exported error class, one error of it as the package makes it, and the code it must carry. */
const MADE: ReadonlyArray<[ErrorClass, () => Error, string]> = [
  [GatehouseError, () => new GatehouseError('root', 'ERR_GATEHOUSE'), 'ERR_GATEHOUSE'],
  // gatehouse-http/client
  [AuthenticationError, () => new AuthenticationError('no token', { status: 400 }), 'ERR_GATEHOUSE_AUTHENTICATION'],
  [
    AuthorizationResponseError,
    () => new AuthorizationResponseError('bad state'),
    'ERR_GATEHOUSE_AUTHORIZATION_RESPONSE',
  ],
  [DiscoveryError, () => new DiscoveryError('https://api/x', 'not JSON'), 'ERR_GATEHOUSE_DISCOVERY'],
  [
    IssuerMismatchError,
    () => new IssuerMismatchError({ expected: 'https://as', named: 'https://evil', where: 'metadata', fix: 'fix it' }),
    'ERR_GATEHOUSE_ISSUER_MISMATCH',
  ],
  [LoginTimeoutError, () => new LoginTimeoutError(1000), 'ERR_GATEHOUSE_LOGIN_TIMEOUT'],
  [OpenBrowserError, () => new OpenBrowserError(new Error('no display')), 'ERR_GATEHOUSE_OPEN_BROWSER'],
  [
    ResourceMismatchError,
    () => new ResourceMismatchError({ called: 'https://api/x', named: 'https://other', metadataUrl: 'https://api/m' }),
    'ERR_GATEHOUSE_RESOURCE_MISMATCH',
  ],
  [
    BodyCutError,
    () =>
      new BodyCutError({
        ...call,
        status: 200,
        receivedBytes: 3,
        expectedBytes: 9,
        resendSafe: true,
        cause: new Error('reset'),
      }),
    'ERR_GATEHOUSE_BODY_CUT',
  ],
  [BodyNotReplayableError, () => new BodyNotReplayableError(), 'ERR_GATEHOUSE_BODY_NOT_REPLAYABLE'],
  [
    CrossOriginCredentialsError,
    () => new CrossOriginCredentialsError({ ...call, origin: 'https://other.test', allowed: [] }),
    'ERR_GATEHOUSE_CROSS_ORIGIN_CREDENTIALS',
  ],
  [
    DigestDowngradeError,
    () => new DigestDowngradeError({ origin: 'https://api.test', established: 'SHA-256', offered: ['MD5'] }),
    'ERR_GATEHOUSE_DIGEST_DOWNGRADE',
  ],
  [
    DigestRealmError,
    () => new DigestRealmError({ origin: 'https://api.test', offered: ['a'], answered: ['b'], configured: true }),
    'ERR_GATEHOUSE_DIGEST_REALM',
  ],
  [ForbiddenError, () => new ForbiddenError(answer(403)), 'ERR_GATEHOUSE_FORBIDDEN'],
  [HttpError, () => new HttpError(answer(500)), 'ERR_GATEHOUSE_HTTP'],
  [LockedOutError, () => new LockedOutError(answer(429)), 'ERR_GATEHOUSE_LOCKED_OUT'],
  [
    NetworkError,
    () => new NetworkError({ ...call, notSent: true, cause: new Error('refused') }),
    'ERR_GATEHOUSE_NETWORK',
  ],
  [RateLimitedError, () => new RateLimitedError(answer(429)), 'ERR_GATEHOUSE_RATE_LIMITED'],
  [
    RedirectSecretError,
    () => new RedirectSecretError({ from: 'https://api.test/a', to: 'http://api.test/b', status: 302 }),
    'ERR_GATEHOUSE_REDIRECT_SECRET',
  ],
  [TimeoutError, () => new TimeoutError({ ...call, which: 'total', timeoutMs: 10 }), 'ERR_GATEHOUSE_TIMEOUT'],
  [
    TooManyRedirectsError,
    () => new TooManyRedirectsError(5, 'GET https://api.test/x'),
    'ERR_GATEHOUSE_TOO_MANY_REDIRECTS',
  ],
  [UnauthorizedError, () => new UnauthorizedError(answer(401)), 'ERR_GATEHOUSE_UNAUTHORIZED'],
  [
    StepUpRequiredError,
    () => new StepUpRequiredError(answer(401), { acrValues: ['mfa'], maxAge: 300 }),
    'ERR_GATEHOUSE_STEP_UP_REQUIRED',
  ],
  [TokenFileError, () => new TokenFileError('tokens.json is not JSON'), 'ERR_GATEHOUSE_TOKEN_FILE'],
  [DpopKeyFileError, () => new DpopKeyFileError('key.json is not a key file'), 'ERR_GATEHOUSE_DPOP_KEY_FILE'],
  [TabLockError, () => new TabLockError('another tab held the lock'), 'ERR_GATEHOUSE_TAB_LOCK'],
  [TokenStorageError, () => new TokenStorageError('IndexedDB refused'), 'ERR_GATEHOUSE_TOKEN_STORAGE'],
  [TokenLockError, () => new TokenLockError('lock held'), 'ERR_GATEHOUSE_TOKEN_LOCK'],
  // gatehouse-http/server
  [
    AuthorizationCodeStoreFullError,
    () => new AuthorizationCodeStoreFullError(10, 1000),
    'ERR_GATEHOUSE_AUTHORIZATION_CODE_STORE_FULL',
  ],
  [BodyTooLargeError, () => new BodyTooLargeError(1024), 'ERR_GATEHOUSE_BODY_TOO_LARGE'],
  [KeySourceError, () => new KeySourceError('https://idp.test/jwks', new Error('down')), 'ERR_GATEHOUSE_KEY_SOURCE'],
  [
    MissingPeerError,
    () => new MissingPeerError('pg', 'a postgres:// store', new Error("Cannot find package 'pg'")),
    'ERR_GATEHOUSE_MISSING_PEER',
  ],
  [NonceStoreFullError, () => new NonceStoreFullError(10, 1000), 'ERR_GATEHOUSE_NONCE_STORE_FULL'],
  [RequestInvalidError, () => new RequestInvalidError('bad Host'), 'ERR_GATEHOUSE_REQUEST_INVALID'],
  [
    StoreNotFoundError,
    () => new StoreNotFoundError('sqlite:x.db', 'the file does not exist'),
    'ERR_GATEHOUSE_STORE_NOT_FOUND',
  ],
  [
    StoreUnreachableError,
    () => new StoreUnreachableError('Redis', 'redis://127.0.0.1:1', new Error('refused')),
    'ERR_GATEHOUSE_STORE_UNREACHABLE',
  ],
  [TokenGrantError, () => new TokenGrantError('invalid_grant', 'expired'), 'ERR_GATEHOUSE_TOKEN_GRANT'],
  // gatehouse-http/doctor
  [CurlCommandError, () => new CurlCommandError('curl_no_url', 'no URL'), 'curl_no_url'],
  [HarError, () => new HarError('x.har does not exist'), 'ERR_GATEHOUSE_HAR'],
  [KeyOptionError, () => new KeyOptionError('--key: no such key'), 'key_source_invalid'],
];

/** Every error class the package's entry points export, with the entry points that export it. */
async function exportedErrorClasses(): Promise<Map<ErrorClass, string[]>> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { default: string }>;
  };
  const found = new Map<ErrorClass, string[]>();
  for (const [entry, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue; // ./package.json
    const source = join(ROOT, target.default.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
    const module = (await import(source)) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (typeof value !== 'function' || !(value.prototype instanceof Error)) continue;
      const type = value as ErrorClass;
      found.set(type, [...(found.get(type) ?? []), entry]);
    }
  }
  return found;
}

describe('one error hierarchy', () => {
  it('the entry points export error classes (the scan finds them)', async () => {
    const exported = await exportedErrorClasses();
    assert.ok(exported.size >= MADE.length, `only ${exported.size} error classes found`);
    assert.deepEqual(exported.get(GatehouseError), ['.', './client', './server']);
  });

  it('every exported error class is listed here, so it is checked below', async () => {
    const listed = new Set(MADE.map(([type]) => type));
    const unlisted = [...(await exportedErrorClasses())]
      .filter(([type]) => !listed.has(type))
      .map(([type, entries]) => `${type.name} (${entries.join(', ')})`);
    assert.deepEqual(unlisted, []);
  });

  for (const [type, make, code] of MADE) {
    it(`${type.name} is a GatehouseError with the code ${code}`, () => {
      const error = make();
      assert.ok(error instanceof type);
      assert.ok(error instanceof GatehouseError);
      assert.ok(error instanceof Error);
      assert.equal(error.name, type.name);
      assert.equal(typeof error.code, 'string');
      assert.equal(error.code, code);
      assert.ok(error.message.length > 0);
    });
  }
});
