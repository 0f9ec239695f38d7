/** The doctor run against loopback servers that answer as a test's handler does, and what to read of its report. */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DiagnoseOptions, diagnose, type Report } from '../../src/doctor/index.ts';
import { json, type serverPerTest } from './server.ts';

/** A test file's `serve()` (serverPerTest): every server it starts is closed after each test. */
export type Serve = ReturnType<typeof serverPerTest>;

/** The codes of a report's findings, in their order. */
export const codes = (report: Report) => report.findings.map((f) => f.code);

/** The finding with `code`; fails the test, naming the codes found, when there is none. */
export const finding = (report: Report, code: string) => {
  const found = report.findings.find((f) => f.code === code);
  assert.ok(found, `${code} among ${codes(report).join(', ') || 'no findings'}`);
  return found;
};

/** Answers a refusal: JSON, with `challenge` as WWW-Authenticate when given. */
export function refuse(
  res: ServerResponse,
  challenge?: string,
  status = 401,
  body: unknown = {},
  extra: Record<string, string> = {},
) {
  json(res, status, body, { ...(challenge ? { 'www-authenticate': challenge } : {}), ...extra });
}

/**
 * `run(handler, options)`: the doctor's report on `path` (or `options.path`) of a server that
 * answers with `handler`.
 */
export function doctorAt(serve: Serve, path = '/resource') {
  return async (
    handler: (req: IncomingMessage, res: ServerResponse) => unknown,
    options: Omit<DiagnoseOptions, 'url'> & { path?: string } = {},
  ): Promise<Report> => {
    const server = await serve(handler);
    const { path: given = path, ...rest } = options;
    return diagnose({ url: `${server.origin}${given}`, timeoutMs: 3000, ...rest });
  };
}

/** `run(handler, options)`: the doctor's report on /resource, and what the server received meanwhile. */
export function doctorRecording(serve: Serve) {
  return async (
    handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void,
    options: Omit<DiagnoseOptions, 'url'> = {},
  ): Promise<{ report: Report; received: Array<{ method: string; headers: IncomingMessage['headers'] }> }> => {
    const server = await serve(handler);
    const report = await diagnose({ url: `${server.origin}/resource`, timeoutMs: 3000, ...options });
    return { report, received: server.received };
  };
}
