/**
 * `doctor --origin` and `serve --cors-origin` take an origin as a browser sends it; anything else
 * is refused (64) with what to write, never trimmed or sent as typed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatehouse } from '../support/cli.ts';
import { json, serverPerTest } from '../support/server.ts';

const USAGE = / \(gatehouse (doctor|serve) --help shows the usage\)\n$/;

describe('--origin and --cors-origin', () => {
  for (const [value, said] of [
    ['notanorigin', 'takes an origin, scheme://host[:port], e.g. https://app.example'],
    ['app.example', 'takes an origin, scheme://host[:port], e.g. https://app.example'],
    ['ftp://app.example', 'takes an origin, scheme://host[:port], e.g. https://app.example'],
    [
      'https://app.example/',
      'takes an origin, with no path (not even a trailing /), query or user: write https://app.example',
    ],
    [
      'https://app.example/login',
      'takes an origin, with no path (not even a trailing /), query or user: write https://app.example',
    ],
    [
      'https://app.example?x=1',
      'takes an origin, with no path (not even a trailing /), query or user: write https://app.example',
    ],
    [
      'https://alice:pw@app.example',
      'takes an origin, with no path (not even a trailing /), query or user: write https://app.example',
    ],
  ] as const) {
    it(`${value}: refused (64), saying what to write`, async () => {
      const doctor = await gatehouse('doctor', 'http://127.0.0.1:9/', '--origin', value);
      assert.equal(doctor.code, 64, doctor.stderr);
      assert.equal(doctor.stderr.replace(USAGE, ''), `gatehouse doctor: --origin ${said}`);
      assert.doesNotMatch(doctor.stderr, /alice|pw@|x=1/);
      const serve = await gatehouse('serve', '--cors-origin', value);
      assert.equal(serve.code, 64, serve.stderr);
      assert.equal(serve.stderr.replace(USAGE, ''), `gatehouse serve: --cors-origin ${said}`);
      assert.equal(serve.stdout, '', 'the playground did not start');
    });
  }

  const serve = serverPerTest();
  it("an origin in capitals or with its default port is the browser's origin, sent as the browser would", async () => {
    const server = await serve((req, res) => {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-origin': req.headers.origin ?? '',
          'access-control-allow-methods': 'GET',
          'access-control-allow-headers': 'authorization',
        });
        res.end();
      } else json(res, 200, { ok: true });
    });
    const result = await gatehouse(
      'doctor',
      `${server.origin}/me`,
      '--bearer',
      'tok-123',
      '--origin',
      'HTTPS://App.Example:443',
    );
    assert.notEqual(result.code, 64, result.stderr);
    const preflight = server.received.find((r) => r.method === 'OPTIONS');
    assert.equal(preflight?.headers.origin, 'https://app.example');
  });
});
