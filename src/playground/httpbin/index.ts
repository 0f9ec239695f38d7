/**
 * httpbin's auth-related endpoints, answer for answer: same statuses, challenges, cookies and
 * JSON shapes (keys sorted as httpbin's Flask sorts them, header names Title-Cased as Werkzeug
 * reports them), so a program written against httpbin behaves the same here.
 */
import { Hono } from 'hono';
import { basicAndBearerRoutes } from './basic-and-bearer.ts';
import { cookieRoutes } from './cookies.ts';
import { digestAuthRoutes } from './digest-auth.ts';
import { echoRoutes } from './echoes.ts';
import { redirectRoutes } from './redirects.ts';
import { responseHeadersRoutes } from './response-headers.ts';
import { statusRoutes } from './status.ts';

/** One file per group of httpbin's endpoints, mounted in this order. */
export function httpbinRoutes(): Hono {
  const app = new Hono();
  app.route('/', basicAndBearerRoutes());
  app.route('/', digestAuthRoutes());
  app.route('/', statusRoutes());
  app.route('/', echoRoutes());
  app.route('/', redirectRoutes());
  app.route('/', cookieRoutes());
  app.route('/', responseHeadersRoutes());
  return app;
}
