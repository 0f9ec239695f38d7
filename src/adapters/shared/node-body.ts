/**
 * Reading a Node request's body within a limit: the declared Content-Length is checked first,
 * then the bytes are counted as they arrive; past the limit reading stops at once. The 413 is
 * sent with `Connection: close`, and the connection stops being read, so a client that goes on
 * sending fills its own socket buffers, not the server's memory.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, declaredTooLarge } from '../../server/request-limits.ts';
import { problemResponse } from '../../server/server-failure.ts';

const LINGER_MS = 1_000; // time for the 413 to reach a client that is still sending

/** The body of a Node request, at most `limit` bytes; past it, BodyTooLargeError. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (declaredTooLarge(req.headers?.['content-length'], limit)) return Promise.reject(new BodyTooLargeError(limit));
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        settle();
        req.pause();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      settle();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      settle();
      reject(error);
    };
    // Closed before the end: the client went away mid-body.
    const onClose = () => {
      settle();
      reject(
        Object.assign(new Error('The client closed the connection mid-body.'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }),
      );
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Answers 413 body_too_large and stops reading the connection. */
export function refuseBody(req: IncomingMessage, res: ServerResponse, error: BodyTooLargeError): void {
  const refusal = error.refusal;
  const response = problemResponse(refusal.reason, refusal.detail!, { connection: 'close' });
  res.on('finish', () => stopReading(req));
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) headers[name] = value;
  void response.text().then((body) => {
    if (res.headersSent) return stopReading(req);
    res.writeHead(response.status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  });
}

function stopReading(req: IncomingMessage): void {
  const socket = req.socket;
  // Node would read and discard the rest of the body; pausing leaves it in the client's buffers.
  req.pause();
  socket.pause();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
