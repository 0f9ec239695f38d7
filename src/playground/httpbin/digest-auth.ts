/**
 * httpbin's /digest-auth: its challenge (realm, fresh nonce and opaque, qop, algorithm, stale)
 * and its cookies (stale_after, last_nonce, fake), answer for answer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { parseAuthorization } from '../../http/index.ts';
import { httpbinJson } from './json.ts';
import { originOf } from './request-report.ts';

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512': 'sha512' };

export function digestAuthRoutes(): Hono {
  const app = new Hono();
  const digest = (c: Context) => {
    const { qop: rawQop, user, passwd } = c.req.param() as Record<string, string>;
    const algorithm = ['MD5', 'SHA-256', 'SHA-512'].includes(c.req.param('algorithm') ?? '')
      ? c.req.param('algorithm')!
      : 'MD5';
    const staleAfter = c.req.param('stale_after') ?? 'never';
    const qop = rawQop === 'auth' || rawQop === 'auth-int' ? rawQop : undefined;
    const H = (data: string | Buffer) => createHash(HASHES[algorithm]!).update(data).digest('hex');
    const challenge = (stale: boolean) => {
      const nonce = H(`${originOf(c)}:${Date.now() / 1000}:${randomBytes(10).toString('hex')}`);
      const opaque = H(randomBytes(10));
      const value = `Digest realm="me@kennethreitz.com", nonce="${nonce}", qop="${qop ?? 'auth, auth-int'}", opaque="${opaque}", algorithm=${algorithm}, stale=${stale ? 'TRUE' : 'FALSE'}`;
      setCookie(c, 'stale_after', staleAfter, { path: '/' });
      setCookie(c, 'fake', 'fake_value', { path: '/' });
      return c.body('', 401, { 'www-authenticate': value, 'content-type': 'text/html; charset=utf-8' });
    };
    const auth = parseAuthorization(c.req.header('authorization'));
    if (!auth.ok || auth.credentials.kind !== 'digest') return challenge(false);
    const d = auth.credentials.digest;
    const staleValue = getCookie(c, 'stale_after');
    if ((getCookie(c, 'last_nonce') !== undefined && getCookie(c, 'last_nonce') === d.nonce) || staleValue === '0') {
      setCookie(c, 'last_nonce', d.nonce, { path: '/' });
      return challenge(true);
    }
    const ha1 = H(`${user}:${d.realm}:${passwd}`);
    const ha2 = H(`${c.req.method}:${d.uri}`);
    const expected = d.qop ? H(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${ha2}`) : H(`${ha1}:${d.nonce}:${ha2}`);
    if (d.username !== user || d.response !== expected) {
      setCookie(c, 'last_nonce', d.nonce, { path: '/' });
      return challenge(false);
    }
    setCookie(c, 'fake', 'fake_value', { path: '/' });
    if (staleValue && staleValue !== 'never')
      setCookie(c, 'stale_after', String(Math.max(0, Number(staleValue) - 1)), { path: '/' });
    return httpbinJson(c, { authenticated: true, user });
  };
  app.get('/digest-auth/:qop/:user/:passwd', digest);
  app.get('/digest-auth/:qop/:user/:passwd/:algorithm', digest);
  app.get('/digest-auth/:qop/:user/:passwd/:algorithm/:stale_after', digest);
  return app;
}
