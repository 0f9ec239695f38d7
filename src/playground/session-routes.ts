/**
 * A cookie session for the session scheme: POST /session/login signs in and sets the cookie;
 * /api/session accepts that session only.
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { clientAddressOf, type GatehouseVariables, protect } from '../adapters/hono/index.ts';
import { createGuard } from '../server/guard.ts';
import type { LoginProtection } from '../server/login-protection.ts';
import { isRefusal } from '../server/refusal.ts';
import { issueSession, sessionScheme } from '../server/schemes/session.ts';
import type { OnError } from '../server/server-failure.ts';
import { createSignIn } from '../server/sign-in.ts';
import type { SessionLookup } from '../stores/lookups.ts';
import type { GatehouseStore } from '../stores/types.ts';
import { principal } from './api-routes.ts';
import { ClientKeyedStateFullError, clientKeyedState, fullResponse } from './client-keyed-state.ts';

/** How long a session lasts (the cookie's Max-Age too). */
const SESSION_SECONDS = 3600; // 1 h

const SESSION_SECRET = randomBytes(32).toString('hex');

export function sessionRoutes(options: {
  store: GatehouseStore;
  loginProtection: LoginProtection;
  maxTrackedKeys: number | undefined;
  onError: OnError | undefined;
}): Hono<{ Variables: GatehouseVariables }> {
  const { store, loginProtection, onError } = options;
  // A session remembers who signed in and with which stored hash; the user is looked up on every
  // request, so a demoted user's roles change at once, and a deleted user or a new password ends it.
  const signedIn = clientKeyedState<{ username: string; passwordHash: string }>(
    'sessions (/session/login)',
    options.maxTrackedKeys,
  );
  const sessions: SessionLookup = {
    async findSession(id) {
      const session = signedIn.get(id, Date.now());
      const user = session && (await store.users.findUserByName(session.username));
      return user && user.passwordHash === session.passwordHash ? user : undefined;
    },
  };
  const sessionOnly = createGuard({
    realm: 'playground',
    schemes: [sessionScheme({ secret: SESSION_SECRET, sessions })],
    ...(onError ? { onError } : {}),
  });
  const signIn = createSignIn({ users: store.users, loginProtection });

  const app = new Hono<{ Variables: GatehouseVariables }>();
  app.all('/api/session', protect(sessionOnly), principal);

  // A cookie session for the session scheme: POST username and password as a form. The password
  // is checked by the one sign-in (dummy hash, login protection, one refusal), as Basic and the
  // password grant check it; refusals are the guard's, from the catalogue.
  app.post('/session/login', async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const user = await signIn.verify(form.get('username') ?? '', form.get('password') ?? '', clientAddressOf(c));
    if (isRefusal(user)) return sessionOnly.refusalResponse(user);
    const id = randomBytes(24).toString('base64url');
    const now = Date.now();
    try {
      signedIn.hold(
        id,
        { username: user.username, passwordHash: user.passwordHash },
        now + SESSION_SECONDS * 1000,
        now,
      );
    } catch (error) {
      if (error instanceof ClientKeyedStateFullError) return fullResponse(error);
      throw error;
    }
    const issued = issueSession(id, { secret: SESSION_SECRET, maxAgeSeconds: SESSION_SECONDS });
    // Secure is dropped on plain-HTTP loopback, where a browser would not send the cookie back.
    return c.json({ csrfToken: issued.csrfToken }, 200, { 'set-cookie': issued.setCookie.replace('; Secure', '') });
  });
  return app;
}
