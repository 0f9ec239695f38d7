/**
 * A token endpoint and the API its tokens open, on one loopback server: what the client's bearer
 * strategy and its OAuth 2.0 token sources are tested against (test/client/auth/bearer.test.ts,
 * test/client/tokens/oauth2.test.ts). Gatehouse's own token service is token-world.ts.
 */
import { json, startServer, type TestServer } from './server.ts';

/**
 * One loopback server plays both parts: `/oauth/token` issues tok-1, tok-2, … and `/api/*`
 * accepts only tokens it issued and has not revoked.
 */
export interface World {
  server: TestServer;
  tokenCalls: () => number;
  tokenRequests: () => URLSearchParams[];
  valid: Set<string>;
  tokenAnswer: { status: number; expiresIn?: number; date?: () => string; delayMs?: number };
  apiDelayFor: Set<string>;
  apiAnswer: { status?: number; challenge?: string };
}

export async function world(): Promise<World> {
  let issued = 0;
  const tokenBodies: URLSearchParams[] = [];
  const w: World = {
    server: undefined as unknown as TestServer,
    tokenCalls: () => tokenBodies.length,
    tokenRequests: () => tokenBodies,
    valid: new Set(),
    tokenAnswer: { status: 200, expiresIn: 3600 },
    apiDelayFor: new Set(),
    apiAnswer: {},
  };
  w.server = await startServer(async (req, res, body) => {
    if (req.url === '/oauth/token') {
      tokenBodies.push(new URLSearchParams(body.toString()));
      const { status, expiresIn, date, delayMs } = w.tokenAnswer;
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      if (status !== 200) return json(res, status, { error: 'invalid_client', error_description: 'nope' });
      const token = `tok-${++issued}`;
      w.valid.add(token);
      const headers: Record<string, string> = date ? { date: date() } : {};
      const answer: Record<string, unknown> = {
        access_token: token,
        token_type: 'Bearer',
        refresh_token: `rt-${issued}`,
      };
      if (expiresIn !== undefined) answer['expires_in'] = expiresIn;
      return json(res, 200, answer, headers);
    }
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (w.apiDelayFor.has(token)) await new Promise((r) => setTimeout(r, 150));
    if (w.apiAnswer.status) {
      return json(
        res,
        w.apiAnswer.status,
        { error: 'x' },
        w.apiAnswer.challenge ? { 'www-authenticate': w.apiAnswer.challenge } : {},
      );
    }
    if (!w.valid.has(token)) {
      return json(
        res,
        401,
        { detail: 'bad token' },
        {
          'www-authenticate': 'Bearer realm="api", error="invalid_token", error_description="The access token expired"',
        },
      );
    }
    json(res, 200, { ok: true, token });
  });
  return w;
}
