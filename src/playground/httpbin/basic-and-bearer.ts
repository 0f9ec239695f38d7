/** httpbin's Basic and Bearer endpoints: /basic-auth, /hidden-basic-auth and /bearer. */
import { type Context, Hono } from 'hono';
import { parseAuthorization } from '../../http/index.ts';
import { httpbinJson } from './json.ts';

export function basicAndBearerRoutes(): Hono {
  const app = new Hono();

  // httpbin compares the pair with the one in the URL; only the refusal differs (401 or a hidden 404).
  const basicRoute = (refusal: (c: Context) => Response) => (c: Context) => {
    const auth = parseAuthorization(c.req.header('authorization'));
    const right =
      auth.ok &&
      auth.credentials.kind === 'basic' &&
      auth.credentials.username === c.req.param('user') &&
      auth.credentials.password === c.req.param('passwd');
    return right ? httpbinJson(c, { authenticated: true, user: c.req.param('user') }) : refusal(c);
  };
  app.get(
    '/basic-auth/:user/:passwd',
    basicRoute((c) => c.body(null, 401, { 'www-authenticate': 'Basic realm="Fake Realm"' })),
  );
  app.get(
    '/hidden-basic-auth/:user/:passwd',
    basicRoute((c) => c.body(null, 404)),
  );

  app.get('/bearer', (c) => {
    const header = c.req.header('authorization') ?? '';
    if (!header.startsWith('Bearer ')) return c.body(null, 401, { 'www-authenticate': 'Bearer' });
    return httpbinJson(c, { authenticated: true, token: header.slice('Bearer '.length) });
  });
  return app;
}
