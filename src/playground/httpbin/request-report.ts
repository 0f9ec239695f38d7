/** What httpbin reports of a request: its headers (as Werkzeug names them), args, origin and body. */
import type { Context } from 'hono';

// httpbin hides the headers its hosting adds (httpbin/helpers.py ENV_HEADERS).
const HIDDEN = new Set([
  'x-varnish',
  'x-request-start',
  'x-heroku-queue-depth',
  'x-real-ip',
  'x-forwarded-proto',
  'x-forwarded-protocol',
  'x-forwarded-ssl',
  'x-heroku-queue-wait-time',
  'x-forwarded-for',
  'x-heroku-dynos-in-use',
  'x-forwarded-port',
  'x-request-id',
  'via',
  'total-route-time',
  'connect-time',
]);

const titleCase = (name: string) =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('-');

export function headersOf(c: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of c.req.raw.headers) {
    if (!HIDDEN.has(name)) headers[titleCase(name)] = value;
  }
  return headers;
}

/** args as httpbin reports them: one value as a string, several as a list. */
export function argsOf(url: URL): Record<string, string | string[]> {
  const args: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    args[key] = all.length === 1 ? all[0]! : all;
  }
  return args;
}

export function originOf(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return (incoming?.socket?.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
}

export async function anything(c: Context) {
  const url = new URL(c.req.url);
  const type = c.req.header('content-type') ?? '';
  const text = c.req.method === 'GET' || c.req.method === 'HEAD' ? '' : await c.req.text();
  let json: unknown = null;
  let form: Record<string, string | string[]> = {};
  let data = text;
  if (type.includes('application/json')) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  } else if (type.includes('application/x-www-form-urlencoded')) {
    form = argsOf(new URL(`http://x/?${text}`));
    data = '';
  }
  return {
    args: argsOf(url),
    data,
    files: {},
    form,
    headers: headersOf(c),
    json,
    method: c.req.method,
    origin: originOf(c),
    url: url.href,
  };
}
