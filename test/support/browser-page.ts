/**
 * What a browser test serves its page with: the client built as the package ships it (tsc with
 * tsconfig.build.json, into a temporary directory), and a loopback server on port 0 answering the
 * test's pages by path, the built client under /dist/ and its dependency under /node_modules/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';

const root = join(import.meta.dirname, '../..');

/** The import map a page needs for the built client's one dependency. */
export const IMPORT_MAP =
  '<script type="importmap">{ "imports": { "@noble/hashes/": "/node_modules/@noble/hashes/" } }</script>';

/** Builds the package into a new temporary directory and returns it. */
export function buildClientBundle(): string {
  const dist = mkdtempSync(join(tmpdir(), 'gh-dist-'));
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.build.json'), '--outDir', dist], {
    stdio: 'inherit',
  });
  return dist;
}

/**
 * Serves `pages` (HTML by path, the query ignored) with the built client, on 127.0.0.1 and a free
 * port; `route` answers first when it returns true (a test's own endpoint on the page's origin).
 */
export function servePages(
  distDir: string,
  pages: Readonly<Record<string, string>>,
  route?: (req: IncomingMessage, res: ServerResponse) => boolean,
): Promise<Server> {
  const server = createServer((req, res) => {
    if (route?.(req, res)) return;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const html = Object.hasOwn(pages, path) ? pages[path] : undefined;
    if (html !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' });
      res.end(html);
      return;
    }
    const base = path.startsWith('/dist/') ? distDir : path.startsWith('/node_modules/') ? root : undefined;
    const file = base && normalize(join(base, path.replace(/^\/dist\//, '/')));
    if (!file?.startsWith(base!) || !existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': extname(file) === '.js' ? 'text/javascript' : 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The origin a server from servePages() answers at. */
export function pageOrigin(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
