import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTENT_HEADERS, REDIRECT_STATUSES, redirectedMethod } from '../../src/http/redirect-method.ts';

describe('redirectedMethod (RFC 9110 §15.4.2–§15.4.4)', () => {
  // [method, status, next method, body dropped]
  const table: Array<[string, number, string, boolean]> = [
    ['POST', 303, 'GET', true],
    ['PUT', 303, 'GET', true],
    ['DELETE', 303, 'GET', true],
    ['GET', 303, 'GET', true],
    ['HEAD', 303, 'HEAD', false],
    ['POST', 301, 'GET', true],
    ['POST', 302, 'GET', true],
    ['PUT', 301, 'PUT', false],
    ['PATCH', 302, 'PATCH', false],
    ['DELETE', 302, 'DELETE', false],
    ['GET', 301, 'GET', false],
    ['POST', 307, 'POST', false],
    ['POST', 308, 'POST', false],
    ['PUT', 307, 'PUT', false],
    ['post', 302, 'post', false],
  ];
  for (const [method, status, next, dropsBody] of table)
    it(`${method} after ${status}: ${next}${dropsBody ? ', without its body' : ', body kept'}`, () => {
      assert.deepEqual(redirectedMethod(method, status), { method: next, dropsBody });
    });

  it('follows the five redirect statuses, and names the fields that go with a dropped body', () => {
    assert.deepEqual([...REDIRECT_STATUSES].sort(), [301, 302, 303, 307, 308]);
    for (const name of ['content-type', 'content-length', 'content-encoding'])
      assert.ok(CONTENT_HEADERS.includes(name));
    assert.ok(!CONTENT_HEADERS.includes('authorization'));
  });
});
