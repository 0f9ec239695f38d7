/**
 * preflight_refused: a preflight that a browser would refuse is a problem whatever its status (issue
 * 15 point 8: a 200 whose preflight is refused is not "it works"). Loopback servers answer as
 * misconfigured CORS does; test/interop/doctor-preflight.test.ts runs FastAPI without CORSMiddleware.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { diagnose, exitCode, renderTerminal } from '../../../src/doctor/index.ts';
import { json, serverPerTest } from '../../support/server.ts';

const serve = serverPerTest();
const ORIGIN = 'https://app.example';
const TOKEN = 'tok-0123456789abcdef0123';

function api(preflight: Record<string, string>, status = 204) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'OPTIONS') return json(res, 200, { ok: true }, { 'access-control-allow-origin': ORIGIN });
    res.writeHead(status, preflight);
    res.end();
  };
}

const cases: Array<[string, Record<string, string>, number, RegExp]> = [
  ['a 405 to OPTIONS', {}, 405, /it answers 405, not 2xx/],
  [
    'no Access-Control-Allow-Origin',
    { 'access-control-allow-headers': 'Authorization' },
    204,
    /no Access-Control-Allow-Origin/,
  ],
  [
    'another origin allowed',
    { 'access-control-allow-origin': 'https://other.example', 'access-control-allow-headers': 'authorization' },
    204,
    /Access-Control-Allow-Origin is "https:\/\/other\.example", not https:\/\/app\.example/,
  ],
  [
    'Authorization left to a *',
    { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' },
    204,
    /does not list authorization \(a \* never covers Authorization\)/,
  ],
  [
    'DELETE not among the methods',
    {
      'access-control-allow-origin': ORIGIN,
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'Authorization',
    },
    204,
    /Access-Control-Allow-Methods does not list DELETE/,
  ],
];

describe('preflight_refused', () => {
  for (const [what, headers, status, problem] of cases) {
    it(`${what}: named, and the 200 is not "it works" (exit 1)`, async () => {
      const server = await serve(api(headers, status));
      const report = await diagnose({
        url: `${server.origin}/me`,
        bearer: TOKEN,
        origin: ORIGIN,
        ...(/DELETE/.test(what) ? { method: 'DELETE' } : {}),
        timeoutMs: 3000,
      });
      assert.equal(report.findings[0]?.code, 'preflight_refused', JSON.stringify(report.findings.map((f) => f.code)));
      assert.match(report.findings[0]!.title, problem);
      const first = renderTerminal(report).split('\n')[0]!;
      assert.doesNotMatch(first, /it works/);
      assert.match(first, /, but the CORS preflight fails/);
      assert.equal(exitCode(report), 1);
    });
  }

  it('a preflight a browser accepts: no finding, exit 0', async () => {
    const server = await serve(
      api({
        'access-control-allow-origin': ORIGIN,
        'access-control-allow-methods': 'GET',
        'access-control-allow-headers': 'Authorization, Content-Type',
      }),
    );
    const report = await diagnose({ url: `${server.origin}/me`, bearer: TOKEN, origin: ORIGIN, timeoutMs: 3000 });
    assert.deepEqual(report.findings, []);
    assert.equal(exitCode(report), 0);
  });
});
