/**
 * Real loopback HTTP servers for tests: listen on port 0, record what arrived, close cleanly.
 * Handlers are plain node:http handlers, so a test can reset a socket, stall, or answer anything.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach } from 'node:test';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** Raw header lines, so repeated fields are visible. */
  rawHeaders: string[];
  body: Buffer;
  at: number;
}

/** A server listening on a loopback port, and how to stop it. */
export interface Listening {
  /** The origin, without a trailing slash: `http://127.0.0.1:PORT` (an IPv6 host in brackets). */
  url: string;
  port: number;
  server: Server;
  /** Ends every open connection (kept-alive and upgraded ones too), then closes the listener. */
  close(): Promise<void>;
}

/**
 * The one way a test puts a server on the network: any node:http(s) server (a plain listener, an
 * Express app, a guard) listens on a free port of `host` (127.0.0.1 unless told). A server that
 * already listens (Fastify's, say) is taken as it is. Every socket it accepts from here on is
 * destroyed by `close()`, so a test that stalls a response or leaves a socket open still ends.
 */
export async function listen(server: Server, options: { port?: number; host?: string } = {}): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  if (!server.listening) await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A recording server from `startServer`: `url` ends in `/`, `origin` does not. */
export interface TestServer extends Omit<Listening, 'url'> {
  url: string;
  origin: string;
  received: Received[];
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer, index: number) => unknown;

/**
 * A loopback server (through `listen`) that records every request it got, body read in full,
 * before `handler` answers it; a handler that throws answers 500 with the error's text.
 */
export async function startServer(
  handler: Handler,
  options: { port?: number; host?: string } = {},
): Promise<TestServer> {
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return;
    }
    const body = Buffer.concat(chunks);
    const index = received.length;
    received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body,
      at: Date.now(),
    });
    try {
      await handler(req, res, body, index);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    }
  });
  const listening = await listen(server, options);
  return { ...listening, url: `${listening.url}/`, origin: listening.url, received };
}

/** Answers JSON. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Sends the status line, headers and the first part of a 100-byte body, then drops the connection. */
export function cutAfter(prefix: string): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    res.write(prefix);
    setTimeout(() => res.destroy(), 20);
  };
}

/** A port nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A `serve()` for a test file: every server it starts is closed after each test. */
export function serverPerTest(): (handler: Handler, options?: { port?: number; host?: string }) => Promise<TestServer> {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return async (handler, options) => {
    const s = await startServer(handler, options);
    servers.push(s);
    return s;
  };
}

/** What a token endpoint answers: tokens on success, an error (and a Gatehouse code) otherwise. */
export interface FormAnswer {
  access_token: string;
  refresh_token: string;
  error?: string;
  code?: string;
  [member: string]: unknown;
}

/** POSTs a form (as an OAuth client does) and reads the JSON answer: `{ status, body }`, body `{}` when empty. */
export async function postForm(
  url: string,
  fields: Record<string, string>,
): Promise<{ status: number; body: FormAnswer }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}
