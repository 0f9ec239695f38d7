/**
 * What httpbin cannot simulate: rate limits that answer 429 or 503 with Retry-After in either
 * form and RateLimit fields; routes that fail N times then succeed; connection resets; slow
 * headers; slow bodies; bodies cut halfway.
 */
import { Hono } from 'hono';
import { DEFAULT_MAX_TRACKED_KEYS } from '../client-keyed-state.ts';
import { connectionFaultRoutes } from './connection.ts';
import { flakyRoutes } from './flaky.ts';
import { limitedRoutes } from './limited.ts';
import { unavailableRoutes } from './unavailable.ts';

/** One file per fault, mounted in this order. */
export function faultRoutes(options: { maxTrackedKeys?: number } = {}): Hono {
  const app = new Hono();
  const max = options.maxTrackedKeys ?? DEFAULT_MAX_TRACKED_KEYS;
  app.route('/', limitedRoutes(max));
  app.route('/', flakyRoutes(max));
  app.route('/', connectionFaultRoutes());
  app.route('/', unavailableRoutes());
  return app;
}
