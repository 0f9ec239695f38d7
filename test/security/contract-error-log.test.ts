/**
 * The failure line shows a contract error's message (server-failure.ts, contractError): that
 * message must hold no value of the request. A refusal whose reason is not in the catalogue is
 * quoted when it "looks like a code" (answer-contract.ts, reasonText): any token68-shaped string
 * up to 64 characters, which is what an API key, an opaque access token or a password is. An
 * app's verify() that puts a request value into `reason` (a typo'd template, a pass-through of
 * what it was sent) writes that secret into the operator's log.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGuard, type Scheme } from '../../src/server/index.ts';
import { failureLine, type ServerFailure } from '../../src/server/server-failure.ts';

const SECRET = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'; // an opaque token, 40 characters

const scheme: Scheme<string> = {
  name: 'apikey',
  precedence: 1,
  authorizationSchemes: ['apikey'],
  detect(request) {
    const parsed = request.authorization;
    const credentials = parsed?.ok ? parsed.credentials : undefined;
    if (credentials?.kind !== 'other' || credentials.scheme.toLowerCase() !== 'apikey') return { present: false };
    return { present: true, credentials: credentials.token68 ?? '' };
  },
  // The app's bug: the key it was sent ends up as the reason.
  verify: (key) => ({ reason: key, detail: 'Unknown key.' }) as never,
  challenge: (realm) => ({ scheme: 'ApiKey', params: { realm } }),
  openapi: () => ({}),
};

describe('contract error messages in the failure line', () => {
  it('a refusal reason taken from the request is not quoted in the log line', async () => {
    const failures: ServerFailure[] = [];
    const guard = createGuard({ schemes: [scheme], onError: (f) => failures.push(f) });
    await guard.authenticate(new Request('http://api.test/me', { headers: { authorization: `ApiKey ${SECRET}` } }));
    assert.equal(failures.length, 1);
    const line = failureLine(failures[0]!);
    assert.match(line, /not in the catalogue/);
    assert.ok(!line.includes(SECRET), `the key reached the log line: ${line}`);
  });

  it('a typo of a catalogue code is still quoted', async () => {
    const failures: ServerFailure[] = [];
    const typo = { ...scheme, verify: () => ({ reason: 'credentials_invlid', detail: 'x' }) as never };
    const guard = createGuard({ schemes: [typo], onError: (f) => failures.push(f) });
    await guard.authenticate(new Request('http://api.test/me', { headers: { authorization: 'ApiKey x' } }));
    assert.match(failureLine(failures[0]!), /"credentials_invlid"/);
  });
});
