import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  createProblem,
  INVALID_ARGUMENT,
  parseProblem,
  type ReasonCode,
  reasonOfProblem,
  reasons,
} from '../../src/http/index.ts';
import { anyString } from '../support/arbitraries.ts';

describe('createProblem', () => {
  it('builds an RFC 9457 body from a reason', () => {
    assert.deepStrictEqual(
      createProblem('token_expired', {
        detail: 'The access token expired at 2026-11-22T12:00:00Z.',
        instance: '/api/me',
      }),
      {
        type: 'https://gatehouse.dev/reasons/token_expired',
        title: 'Token expired',
        status: 401,
        code: 'token_expired',
        hint: reasons.token_expired.hint,
        detail: 'The access token expired at 2026-11-22T12:00:00Z.',
        instance: '/api/me',
      },
    );
  });

  it('keeps extensions but never lets them replace the standard members', () => {
    const problem = createProblem('insufficient_scope', { extensions: { scope: 'admin', status: 200, code: 'x' } });
    assert.equal(problem.status, 403);
    assert.equal(problem.code, 'insufficient_scope');
    assert.equal(problem['scope'], 'admin');
  });

  it('refuses a code outside the catalogue with a coded TypeError', () => {
    assert.throws(() => createProblem('nope' as ReasonCode), { code: INVALID_ARGUMENT });
  });
});

describe('parseProblem', () => {
  it('reads a problem body and finds its reason', () => {
    const body = JSON.stringify(createProblem('locked_out', { detail: 'Try again in 30 s.' }));
    const problem = parseProblem(body);
    assert.equal(problem?.status, 429);
    assert.equal(problem?.detail, 'Try again in 30 s.');
    assert.equal(reasonOfProblem(problem)?.code, 'locked_out');
  });

  it('finds the reason from the type URI alone', () => {
    assert.equal(
      reasonOfProblem(parseProblem({ type: 'https://gatehouse.dev/reasons/token_revoked' }))?.code,
      'token_revoked',
    );
    assert.equal(reasonOfProblem(parseProblem({ type: 'https://example.com/probs/out-of-credit' })), undefined);
    assert.equal(reasonOfProblem(undefined), undefined);
  });

  it('reads RFC 9457 §3’s example with its extensions', () => {
    const problem = parseProblem(
      '{"type":"https://example.com/probs/out-of-credit","title":"You do not have enough credit.","detail":"Your current balance is 30, but that costs 50.","instance":"/account/12345/msgs/abc","balance":30,"accounts":["/account/12345","/account/67890"]}',
    );
    assert.deepStrictEqual(problem, {
      type: 'https://example.com/probs/out-of-credit',
      title: 'You do not have enough credit.',
      detail: 'Your current balance is 30, but that costs 50.',
      instance: '/account/12345/msgs/abc',
      balance: 30,
      accounts: ['/account/12345', '/account/67890'],
    });
  });

  it('ignores members of the wrong type and defaults type to about:blank (RFC 9457 §3.1)', () => {
    assert.deepStrictEqual(parseProblem('{"type":7,"title":["x"],"status":"401","detail":null,"instance":{}}'), {
      type: 'about:blank',
    });
    assert.deepStrictEqual(parseProblem('{"status":401.5}'), { type: 'about:blank' });
  });

  it('returns undefined for what is not a JSON object', () => {
    for (const body of ['', 'not json', '[1,2]', '"text"', 'null', '42', '{"a":', '<html>401</html>']) {
      assert.equal(parseProblem(body), undefined, body);
    }
    assert.equal(parseProblem('x'.repeat(100), { maxLength: 10 }), undefined);
  });

  it('keeps a "__proto__" member as plain data', () => {
    const problem = parseProblem('{"type":"about:blank","__proto__":{"polluted":true}}');
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal((problem as Record<string, unknown>)['polluted'], undefined);
  });

  it('never throws', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, fc.json(), fc.anything()), (body) => {
        const problem = parseProblem(body);
        assert.ok(problem === undefined || typeof problem.type === 'string');
      }),
      { numRuns: 3000 },
    );
  });
});
