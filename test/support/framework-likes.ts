/**
 * Loopback handlers that answer as FastAPI and Django REST Framework do, with their own bodies and
 * challenges, for the doctor's tests (test/interop runs the real servers).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jwtVerify, SignJWT } from 'jose';
import { json } from './server.ts';

/** The key the FastAPI-like server signs and verifies its tokens with. */
export const SERVER_KEY = 'fastapi-like-server-secret-0123456789abcdef';
/** A token for `sub: alice` (or `claims`), HS256 under `key`, expiring in `expiresIn` seconds. */
export const sign = (key: string, claims: Record<string, unknown> = {}, expiresIn = 600) =>
  new SignJWT({ sub: 'alice', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn)
    .sign(new TextEncoder().encode(key));

/** Answers `{"detail": text}`, as FastAPI and DRF do. */
export const detail = (res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) =>
  json(res, status, { detail: text }, headers);

/** FastAPI's OAuth2PasswordBearer + JWT: "Not authenticated" without a token, "Could not validate credentials" for a bad one. */
export async function fastApiLike(req: IncomingMessage, res: ServerResponse) {
  const auth = req.headers.authorization;
  if (!auth?.startsWith('Bearer ')) return detail(res, 401, 'Not authenticated', { 'www-authenticate': 'Bearer' });
  try {
    const { payload } = await jwtVerify(auth.slice(7), new TextEncoder().encode(SERVER_KEY));
    if (payload.sub !== 'alice') throw new Error('unknown user');
    json(res, 200, { username: payload.sub });
  } catch {
    detail(res, 401, 'Could not validate credentials', { 'www-authenticate': 'Bearer' });
  }
}

/** DRF's BasicAuthentication (alice:wonderland). */
export function drfBasicLike(req: IncomingMessage, res: ServerResponse) {
  const auth = req.headers.authorization;
  const challenge = { 'www-authenticate': 'Basic realm="api"' };
  if (!auth?.startsWith('Basic ')) return detail(res, 401, 'Authentication credentials were not provided.', challenge);
  if (Buffer.from(auth.slice(6), 'base64').toString() === 'alice:wonderland')
    return json(res, 200, { username: 'alice' });
  detail(res, 401, 'Invalid username/password.', challenge);
}
