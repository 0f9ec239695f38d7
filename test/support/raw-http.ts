/**
 * Hand-written HTTP over raw sockets, for requests no HTTP client would send (a Host that is no
 * authority, NUL bytes, invalid UTF-8, repeated fields), and the listeners of
 * listeners-worker.ts in a child process that the attacks must not end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';

export interface RawAnswer {
  /** The status of the answer, undefined when the connection closed without one. */
  status: number | undefined;
  head: string;
  body: string;
}

/** Writes the bytes, then reads until the server closes or `timeoutMs` passes. */
export function exchange(
  port: number,
  bytes: Buffer | string,
  timeoutMs = 5000,
  options: { end?: boolean } = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    // end: the client sends nothing more (a request that promised more body is cut off).
    const socket = connect(port, '127.0.0.1', () => (options.end ? socket.end(bytes) : socket.write(bytes)));
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? text : text.slice(0, split);
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      let body = split < 0 ? '' : text.slice(split + 4);
      if (/^transfer-encoding: chunked/im.test(head)) body = unchunk(body);
      resolve({ status: match ? Number(match[1]) : undefined, head, body });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', done);
    socket.on('close', done);
  });
}

/** The payload of a chunked body (RFC 9112 §7.1), as far as it arrived. */
function unchunk(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const end = text.indexOf('\r\n', at);
    if (end < 0) return out;
    const size = Number.parseInt(text.slice(at, end), 16);
    if (!(size > 0)) return out;
    out += text.slice(end + 2, end + 2 + size);
    at = end + 2 + size + 2;
  }
}

/** A request in bytes: `Connection: close` so that the answer ends with the connection. */
export function request(
  method: string,
  target: string,
  headers: ReadonlyArray<readonly [string, string | Buffer]>,
  body?: Buffer | string,
): Buffer {
  const parts: Buffer[] = [Buffer.from(`${method} ${target} HTTP/1.1\r\n`, 'latin1')];
  for (const [name, value] of headers)
    parts.push(Buffer.from(`${name}: `, 'latin1'), Buffer.from(value as string, 'latin1'), Buffer.from('\r\n'));
  if (!headers.some(([name]) => name.toLowerCase() === 'connection')) parts.push(Buffer.from('Connection: close\r\n'));
  if (body !== undefined && !headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name)))
    parts.push(
      Buffer.from(`Content-Length: ${typeof body === 'string' ? Buffer.byteLength(body, 'latin1') : body.length}\r\n`),
    );
  parts.push(Buffer.from('\r\n'));
  if (body !== undefined) parts.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
  return Buffer.concat(parts);
}

export type StoreKind = 'memory' | 'sqlite' | 'postgres' | 'redis';

export interface Listeners {
  ports: Record<'node' | 'express' | 'fastify' | 'hono' | 'playground', number>;
  apiKey: string;
  /** Whether the process still runs. */
  alive(): boolean;
  /** What it wrote on stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts every listener on one store in a child process. */
export function startListeners(kind: StoreKind, namespace: string): Promise<Listeners> {
  const worker = join(import.meta.dirname, 'listeners-worker.ts');
  const child: ChildProcess = spawn(process.execPath, [worker, kind, namespace], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    const onExit = (code: number | null) =>
      reject(new Error(`the listeners (${kind}) exited with ${code} before listening: ${stderr}`));
    child.once('exit', onExit);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!stdout.includes('\n')) return;
      child.off('exit', onExit);
      const { ports, apiKey } = JSON.parse(stdout.split('\n')[0]!) as Pick<Listeners, 'ports' | 'apiKey'>;
      resolve({
        ports,
        apiKey,
        alive: () => child.exitCode === null && child.signalCode === null,
        stderr: () => stderr,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
