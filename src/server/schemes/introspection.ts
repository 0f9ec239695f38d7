/**
 * Bearer tokens checked by asking their issuer (RFC 7662 token introspection): for an API that
 * receives opaque tokens, or JWTs it has no keys for, from an authorization server elsewhere.
 *
 * Answers are remembered, keyed by a keyed hash of the token (never the token itself), in this
 * process only, for at most `cacheMaxSeconds` and never past the token's `exp`; only active
 * answers are kept. A revocation at the issuer is therefore honoured at most `cacheMaxSeconds`
 * late by an instance that had the token's answer cached, and at once by every other request: an
 * answer `active: false` evicts the token, and `forget(token)` does so for a revocation this API
 * hears of itself. An issuer that cannot be asked is the server's failure (503 keys_unavailable),
 * never a 401.
 */
import { createHash } from 'node:crypto';
import { invalidArgument } from '../../http/argument-error.ts';
import type { BearerCredentials } from '../../http/index.ts';
import { VerifiedCache } from '../credentials/verified-cache.ts';
import type { Refusal } from '../refusal.ts';
import type { Scheme } from '../scheme.ts';
import { bearerScheme } from './bearer.ts';
import { type Accepted, type AnswerRules, judgeAnswer } from './introspection-answer.ts';
import { askIssuer, type IntrospectionCall } from './introspection-request.ts';
import { DEFAULT_CLOCK_TOLERANCE } from './jwt-options.ts';

export interface IntrospectionSchemeOptions {
  /** The issuer's introspection endpoint (its metadata's `introspection_endpoint`). */
  endpoint: string | URL;
  /** This API's client id at the issuer: introspection is asked as an authenticated client (RFC 7662 §2.1). */
  clientId: string;
  /** Its client secret, sent with HTTP Basic (RFC 6749 §2.3.1). */
  clientSecret: string;
  /**
   * The audience (RFC 8707 resource) a token must be for: the answer's `aud` must name one of
   * these (an answer with no `aud`, such as one about a refresh token, is refused). Pass this API's resource identifier (the `resource` of its
   * protected resource metadata); false accepts any audience, knowingly.
   */
  audience: string | readonly string[] | false;
  /** The issuer the answer's `iss` must be, when it names one. */
  issuer?: string | readonly string[];
  /** The fetch to call the endpoint with. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** The longest an active answer is remembered; never past the token's exp. 0 asks every time. @default 60 s */
  cacheMaxSeconds?: number;
  /** The most answers remembered; the oldest go first. @default 10_000 */
  maxEntries?: number;
  /** How long the endpoint may take to answer, body included. @default 5000 ms */
  timeoutMs?: number;
  /** The largest answer read. @default 65_536 bytes */
  maxResponseBytes?: number;
  /** Seconds of clock difference forgiven for exp and nbf. @default 5 */
  clockTolerance?: number;
}

/** The bearer scheme over introspection, and how to make it forget a token at once. */
export interface IntrospectionScheme extends Scheme<BearerCredentials> {
  /** Forgets the remembered answer about `token` (after a logout or a revocation this API hears of). */
  forget(token: string): void;
}

/**
 * @example
 * const scheme = introspectionScheme({ endpoint: 'https://auth.example/oauth/introspect', clientId: 'billing-api', clientSecret, audience: 'https://billing.example' });
 * @see https://www.rfc-editor.org/rfc/rfc7662
 */
export function introspectionScheme(options: IntrospectionSchemeOptions): IntrospectionScheme {
  const { call, rules, cacheMs, maxEntries } = settle(options);
  const cache = new VerifiedCache<Accepted>({ ttlMs: cacheMs, maxEntries });
  // One question to the issuer per token at a time: a burst of requests with one token waits for
  // it together. A flight's answer is cached only if no forget() came while it was asked (a
  // revocation heard of meanwhile must not be undone by an answer given before it). Keyed by a
  // digest, so no token is held as a key; the map holds only the questions in flight.
  const flights = new Map<string, { answer: Promise<Accepted | Refusal>; forgotten: boolean }>();
  const flightKey = (token: string) => createHash('sha256').update(token).digest('base64url');
  const ask = (token: string, key: string) => {
    const flight = { answer: Promise.resolve<Accepted | Refusal>({ reason: 'credentials_invalid' }), forgotten: false };
    // In the map before the question leaves: a forget() from then on marks this flight.
    flights.set(key, flight);
    flight.answer = (async () => {
      const now = Date.now();
      const judged = judgeAnswer(await askIssuer(call, token), rules, Date.now());
      // The issuer says no now: nothing remembered about this token survives its answer.
      if ('reason' in judged) cache.delete([token]);
      else if (cacheMs > 0 && !flight.forgotten)
        cache.set([token], judged, now, judged.expiresAt ?? Number.POSITIVE_INFINITY);
      return judged;
    })();
    const landed = () => {
      if (flights.get(key) === flight) flights.delete(key);
    };
    flight.answer.then(landed, landed);
    return flight.answer;
  };
  // Each request gets its own principal from the identity (principalOf); its claims are frozen (frozenClaims).
  const verify = async (token: string): Promise<Accepted['identity'] | Refusal> => {
    const cached = cache.get([token], Date.now());
    if (cached) return cached.identity;
    const key = flightKey(token);
    const judged = await (flights.get(key)?.answer ?? ask(token, key));
    return 'reason' in judged ? judged : judged.identity;
  };
  const scheme = bearerScheme({ opaque: { verify } });
  const forget = (token: string) => {
    cache.delete([token]);
    const key = flightKey(token);
    const flight = flights.get(key);
    if (flight) flight.forgotten = true;
    flights.delete(key);
  };
  return { ...scheme, forget };
}

/** Checks the options once, at creation. */
function settle(options: IntrospectionSchemeOptions) {
  if (!options || typeof options !== 'object')
    throw invalidArgument('introspectionScheme(options): pass { endpoint, clientId, clientSecret, audience }');
  const endpoint = URL.parse(String(options.endpoint ?? ''));
  if (!endpoint || (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') || endpoint.username)
    throw invalidArgument(
      'introspectionScheme: endpoint must be the absolute http(s) URL of the introspection endpoint, without credentials in it',
    );
  if (typeof options.clientId !== 'string' || !options.clientId || typeof options.clientSecret !== 'string')
    throw invalidArgument('introspectionScheme: clientId and clientSecret are required (RFC 7662 §2.1)');
  if (options.audience === undefined)
    throw invalidArgument(
      "introspectionScheme: audience is required: this API's resource identifier, so that a token for another API is refused (RFC 8707); audience: false accepts any, knowingly",
    );
  const number = (name: string, value: number | undefined, fallback: number) => {
    const n = value ?? fallback;
    if (!Number.isFinite(n) || n < 0) throw invalidArgument(`introspectionScheme: ${name} must be a number ≥ 0`);
    return n;
  };
  const form = (s: string) => encodeURIComponent(s);
  const call: IntrospectionCall = {
    endpoint,
    authorization: `Basic ${btoa(`${form(options.clientId)}:${form(options.clientSecret)}`)}`,
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: number('timeoutMs', options.timeoutMs, 5_000),
    maxResponseBytes: number('maxResponseBytes', options.maxResponseBytes, 65_536),
    source: `the introspection endpoint ${endpoint.origin}${endpoint.pathname}`,
  };
  const list = (v: string | readonly string[] | false | undefined) =>
    v === undefined || v === false ? undefined : typeof v === 'string' ? [v] : [...v];
  const rules: AnswerRules = {
    audiences: list(options.audience),
    issuers: list(options.issuer),
    tolerance: number('clockTolerance', options.clockTolerance, DEFAULT_CLOCK_TOLERANCE) * 1000,
  };
  const cacheMs = number('cacheMaxSeconds', options.cacheMaxSeconds, 60) * 1000;
  const maxEntries = number('maxEntries', options.maxEntries, 10_000);
  return { call, rules, cacheMs, maxEntries };
}
