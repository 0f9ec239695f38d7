import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { fetchMetadataDocument, refusalOf } from '../../../src/client/discovery/metadata-document.ts';
import { DiscoveryError } from '../../../src/client/errors/discovery-error.ts';

describe('refusalOf: where a server-chosen URL may not lead', () => {
  const cases: [string, boolean][] = [
    ['https://as.example.com/x', true],
    ['http://127.0.0.1:8080/x', true],
    ['http://localhost/x', true],
    ['http://[::1]/x', true],
    ['http://as.example.com/x', false],
    ['https://169.254.169.254/latest', false],
    ['https://[fe80::1]/x', false],
    ['https://[::ffff:169.254.169.254]/x', false],
    ['https://metadata.google.internal/x', false],
    ['https://100.100.100.200/x', false],
    ['ftp://as.example.com/x', false],
    ['https://user:pw@as.example.com/x', false],
  ];
  for (const [url, allowed] of cases)
    it(`${url} → ${allowed ? 'allowed' : 'refused'}`, () =>
      assert.equal(refusalOf(new URL(url)) === undefined, allowed));
  it('keeps the scheme of the URL that led to it', () =>
    assert.match(refusalOf(new URL('http://127.0.0.1/x'), new URL('https://api.example.com/')) ?? '', /scheme/));
});

describe('fetchMetadataDocument', () => {
  async function serve(answer: (res: import('node:http').ServerResponse) => void) {
    const server = createServer((_req, res) => answer(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/doc`),
      close: () => server.close(),
    };
  }
  const how = { fetch: globalThis.fetch, signal: undefined, timeoutMs: 300 };

  it('refuses a body larger than any metadata, without reading it all', async () => {
    const s = await serve((res) => res.end(`{"a":"${'x'.repeat(200_000)}"}`));
    await assert.rejects(
      fetchMetadataDocument(s.url, how),
      (e: unknown) => e instanceof DiscoveryError && /larger/.test(e.message),
    );
    s.close();
  });
  it('gives up on a server that does not answer in time', async () => {
    const s = await serve(() => {});
    await assert.rejects(
      fetchMetadataDocument(s.url, how),
      (e: unknown) => e instanceof DiscoveryError && /within 300 ms/.test(e.message),
    );
    s.close();
  });
  it('refuses what is not a JSON object, and does not follow redirects', async () => {
    const s = await serve((res) => res.end('[1]'));
    await assert.rejects(fetchMetadataDocument(s.url, how), /not a JSON object/);
    s.close();
    const r = await serve((res) => res.writeHead(302, { location: 'http://169.254.169.254/' }).end());
    await assert.rejects(fetchMetadataDocument(r.url, how), DiscoveryError);
    r.close();
  });
});
