import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGuard, INVALID_ARGUMENT } from '../../src/server/index.ts';
import { fixture } from '../support/guard-fixture.ts';

const schemes = [(await fixture()).schemes.basic];
const preflight = (origin: string) =>
  new Request('http://api.test/r', {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST' },
  });

describe('the cors policy', () => {
  it('refuses, at creation, an origin that no Origin header can equal, a wildcard with credentials, a bad field name', () => {
    for (const cors of [
      { origins: ['https://app.example/'] },
      { origins: ['app.example'] },
      { origins: ['https://app.example/path'] },
      { origins: ['null'] },
      { origins: '*' as const, credentials: true },
      { origins: ['https://app.example'], headers: ['Bad Header'] },
      { origins: ['https://app.example'], maxAgeSeconds: -1 },
    ])
      assert.throws(() => createGuard({ schemes, cors }), { code: INVALID_ARGUMENT }, JSON.stringify(cors));
  });

  it('a wildcard policy answers "*" and does not vary by Origin; credentials are allowed only when asked for', () => {
    const any = createGuard({ schemes, cors: { origins: '*' } }).preflight(preflight('https://a.test'));
    assert.equal(any.headers.get('access-control-allow-origin'), '*');
    assert.equal(any.headers.get('vary'), null);
    assert.equal(any.headers.get('access-control-allow-credentials'), null);
    const listed = createGuard({
      schemes,
      cors: { origins: ['https://a.test'], credentials: true, maxAgeSeconds: 60 },
    });
    const answer = listed.preflight(preflight('https://a.test'));
    assert.deepStrictEqual(
      [
        answer.status,
        answer.headers.get('access-control-allow-credentials'),
        answer.headers.get('access-control-max-age'),
      ],
      [204, 'true', '60'],
    );
    // Origins are compared exactly: another scheme, port or case is another origin.
    for (const other of ['http://a.test', 'https://a.test:8443', 'https://A.test', 'https://a.test.evil'])
      assert.equal(listed.preflight(preflight(other)).headers.get('access-control-allow-origin'), null, other);
  });

  it('by default lets a page send a DPoP proof (RFC 9449 §4.1) beside Authorization', () => {
    const answer = createGuard({ schemes, cors: { origins: ['https://a.test'] } }).preflight(
      preflight('https://a.test'),
    );
    assert.equal(answer.headers.get('access-control-allow-headers'), 'Authorization, Content-Type, DPoP');
  });

  it('by default lets a page read the RateLimit fields its client paces itself by, and Retry-After', () => {
    const guard = createGuard({ schemes, cors: { origins: ['https://a.test'] } });
    const allowance = new Map(
      guard.allowance(new Request('http://api.test/r', { headers: { origin: 'https://a.test' } })),
    );
    const exposed = allowance.get('access-control-expose-headers')?.split(', ');
    for (const name of ['RateLimit', 'RateLimit-Policy', 'Retry-After', 'WWW-Authenticate', 'DPoP-Nonce'])
      assert.ok(exposed?.includes(name), `${name} in ${exposed}`);
  });

  it('without a policy, a preflight gets 204 and no allowance', () => {
    const answer = createGuard({ schemes }).preflight(preflight('https://a.test'));
    assert.equal(answer.status, 204);
    assert.deepStrictEqual(
      [...answer.headers.keys()].filter((k) => k.startsWith('access-control')),
      [],
    );
  });
});
