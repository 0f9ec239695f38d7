/**
 * `diagnose()`: probes an endpoint and names the cause of a 401 (or 403, 429…) with evidence and
 * the fix. The report it returns is what `gatehouse doctor --json` prints.
 */
import { invalidArgument } from '../http/argument-error.ts';
import {
  formatAuthorization,
  headerSecrets,
  isCredentialHeader,
  isSecretField,
  isSecretHeader,
  isSecretParam,
  parseAuthorization,
  parseChallenges,
  parseHttpDate,
  parseProblem,
  redactUrl,
  secretForms,
  secretRedactor,
  urlSecrets,
} from '../http/index.ts';
import { decodeJwt } from '../http/jwt.ts';
import { CONTENT_HEADERS, redirectedMethod } from '../http/redirect-method.ts';
import { fetchApiDescription } from './api-description.ts';
import { discoveryUrls, jwkSet, type KeySet } from './key-source.ts';
import { header, headerAll, type ProbeRequest, send, sentLocation, unsent } from './probes.ts';
import { RULES } from './rules/all.ts';
import { differences } from './rules/comparison.ts';
import { signInPage } from './rules/redirect-hops.ts';
import { verifyToken } from './token-verify.ts';
import type { Context, Exchange, Finding, Report, Rule, TokenVerification } from './types.ts';

export interface DiagnoseOptions {
  url: string;
  /** @default 'GET' */
  method?: string;
  /** Header lines as given (`-H`): repeated names stay separate lines. */
  headers?: Array<[string, string]>;
  /** Sends `Authorization: Bearer <token>`. */
  bearer?: string;
  /** Sends Basic credentials, `user:password`. */
  basic?: string;
  /** The request body (`--data`). */
  data?: string;
  /** Also probes the CORS preflight a browser at this origin would send. */
  origin?: string;
  /** Each probe's time limit, in ms. @default 5000 */
  timeoutMs?: number;
  /**
   * Keys to verify a bearer JWT's signature with (`--key`, `--jwks`, `--issuer`); without them the
   * doctor tries the key set the token's issuer publishes. Key material never reaches the report.
   */
  keys?: KeySet;
}

const SEVERITY = { error: 0, warning: 1, info: 2 } as const;

export function diagnose(options: DiagnoseOptions): Promise<Report> {
  return diagnoseAt(options, 0);
}

/**
 * `depth` 1 is the answer at the end of a same-origin redirect chain, diagnosed in its own right
 * (its own comparison probes and fixes) and folded into the report of the request as given.
 */
async function diagnoseAt(options: DiagnoseOptions, depth: 0 | 1, inherited: readonly string[] = []): Promise<Report> {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw invalidArgument(`diagnose: ${JSON.stringify(options.url)} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalidArgument('diagnose: only http and https URLs can be probed');
  const method = (options.method ?? 'GET').toUpperCase();
  // RFC 9110 §9.1: a method is a token; anything else cannot be sent, and is the caller's mistake.
  if (!/^[!#$%&'*+.^_`|~0-9A-Z-]+$/.test(method))
    throw invalidArgument(`diagnose: ${JSON.stringify(method.slice(0, 20))} is not an HTTP method`);
  const timeout = options.timeoutMs ?? 5000;
  const headers: Array<[string, string]> = [...(options.headers ?? [])];
  // RFC 9110 §5.1: a field name is a token. Node refuses to send anything else, which would read as
  // "no response"; it is the caller's mistake (the name is not echoed: a botched line may hold a secret).
  if (headers.some(([n]) => !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(n)))
    throw invalidArgument('diagnose: a header name is not an HTTP token (no spaces or separators before the colon)');
  if (options.bearer !== undefined) headers.push(['Authorization', `Bearer ${options.bearer}`]);
  const inUrl = urlSecrets(url);
  // A URL's user:password goes as Basic credentials, as curl sends it; node would drop it unsent
  // (header lines given as a list), leaving the doctor to diagnose credentials "missing". The URL
  // probed has none (RFC 9110 §4.2.4: userinfo is not for http(s) URLs), but its password stays a secret.
  const basic = options.basic ?? fromUserinfo(url, headers, options.bearer !== undefined);
  url.username = '';
  url.password = '';
  if (basic !== undefined) {
    const colon = basic.indexOf(':');
    if (colon < 0) throw invalidArgument('diagnose: basic is user:password');
    headers.push([
      'Authorization',
      formatAuthorization({
        kind: 'basic',
        username: basic.slice(0, colon),
        password: basic.slice(colon + 1),
      }),
    ]);
  }
  if (options.data !== undefined && !headers.some(([n]) => n.toLowerCase() === 'content-type'))
    headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  const authorization = headers.filter(([n]) => n.toLowerCase() === 'authorization').map(([, v]) => v);
  // Every credential given, in every form, to be scrubbed wherever a server echoes one.
  const secrets = [
    ...headers.filter(([n]) => isSecretHeader(n)).flatMap(([n, v]) => headerSecrets(n, v)),
    ...inUrl,
    ...bodySecrets(options.data),
    ...givenSecrets(options.keys),
    // At depth 1, everything the request as given carried: a server may echo at the end of the
    // chain what only the first request sent (a form's password before a 303, a query key the
    // Location dropped).
    ...inherited,
  ];

  const exchanges: Exchange[] = [];
  const base: ProbeRequest = { method, url, headers, ...(options.data !== undefined ? { body: options.data } : {}) };
  // At depth 1 the request as given is the one a client makes at the end of the redirects.
  const primary = await send(depth === 0 ? 'as-given' : 'final-url', base, timeout, secrets);
  exchanges.push(primary);
  const localDate = Date.now();

  const status = primary.response?.status;
  const hasCredentials = headers.some(([n]) => isCredentialHeader(n));
  if (status !== undefined && status >= 400 && hasCredentials) {
    const withoutCredentials = { ...base, headers: headers.filter(([n]) => !isCredentialHeader(n)) };
    const without = await send('without-credentials', withoutCredentials, timeout, secrets);
    exchanges.push(without);
    // Answers that differ only in their bodies may differ by a per-answer nonce (a request id in a
    // shape the comparison does not know): the same request once more tells (see compareWithout).
    const differs = differences(primary, without);
    // Not for an unsafe method: a second anonymous POST is a second chance to carry it out.
    if (differs.length === 1 && differs[0] === 'body' && SAFE_METHODS.has(method))
      exchanges.push(await send('without-credentials', withoutCredentials, timeout, secrets));
    // A scheme in other casing than the registered one: try the canonical spelling once.
    const parsed = authorization.length === 1 ? parseAuthorization(authorization[0]) : undefined;
    const canonical = parsed?.ok
      ? ({ basic: 'Basic', bearer: 'Bearer', digest: 'Digest' } as Record<string, string>)[parsed.credentials.kind]
      : undefined;
    if (parsed?.ok && canonical && parsed.credentials.scheme !== canonical) {
      const fixed = headers.map(([n, v]): [string, string] =>
        n.toLowerCase() === 'authorization' ? [n, canonical + v.slice(canonical.length)] : [n, v],
      );
      exchanges.push(await send('canonical-scheme', { ...base, headers: fixed }, timeout, secrets));
    }
  }
  if (status !== undefined && status >= 300 && status < 400)
    await followRedirects(base, primary, exchanges, timeout, secrets);
  if (options.origin) {
    // Only what a browser asks for (the Fetch standard's CORS-unsafe request-header names): not a
    // header it sets itself and never lets a script set (Cookie, Host, Origin…), nor a safelisted one
    // (Accept, Accept-Language, Content-Language, a form or text Content-Type). Asking for more
    // makes a preflight a browser passes look refused.
    const asked = headers.filter(([n, v]) => corsUnsafe(n, v)).map(([n]) => n.toLowerCase());
    exchanges.push(
      await send(
        'preflight',
        {
          method: 'OPTIONS',
          url,
          headers: [
            ['Origin', options.origin],
            ['Access-Control-Request-Method', method],
            ...(asked.length
              ? [['Access-Control-Request-Headers', [...new Set(asked)].join(', ')] as [string, string]]
              : []),
          ],
        },
        timeout,
        secrets,
      ),
    );
  }

  const bearer = authorization.map((v) => parseAuthorization(v)).find((p) => p.ok && p.credentials.kind === 'bearer');
  const jwt = bearer?.ok && bearer.credentials.kind === 'bearer' ? decodeJwt(bearer.credentials.token) : undefined;
  const { metadata, jwks } = jwt
    ? await issuerKeys(jwt.payload['iss'], exchanges, timeout, secrets)
    : { metadata: undefined, jwks: undefined };
  const verification =
    jwt && bearer?.ok && bearer.credentials.kind === 'bearer'
      ? await checkSignature(bearer.credentials.token, jwt.header, options.keys, jwks, exchanges)
      : undefined;
  const resourceMetadata = jwt ? await protectedResourceMetadata(primary, exchanges, timeout, secrets) : undefined;
  const apiDescription = await fetchApiDescription(url, method, primary, exchanges, timeout, secrets);
  const context = buildContext(url, {
    request: base,
    ...(apiDescription ? { apiDescription } : {}),
    primary,
    exchanges,
    authorization,
    jwt,
    issuerMetadata: metadata,
    jwks,
    origin: options.origin,
    localDate,
    ...(verification ? { verification } : {}),
    ...(resourceMetadata ? { resourceMetadata } : {}),
  });
  const ranked = runRules(context);
  await proveFixes(context, ranked, timeout, secrets);
  const outer = toReport(context, ranked, secrets);
  const end = depth === 0 ? refusedAfterRedirects(base, exchanges) : undefined;
  // An unsafe method a fix already made succeed is not sent again, here or by the inner diagnosis.
  if (!end || (!SAFE_METHODS.has(method) && performedBy(exchanges, method))) return outer;
  // The redirects stayed on the origin and ended in a refusal: why it refused is the question, so
  // the final URL is diagnosed as the request the client really made there (method as followed).
  const { data: _dropped, ...withoutBody } = options;
  // The credentials go on as the redirect hops carried them (URL userinfo already turned into
  // Basic), and never as userinfo the server wrote into its Location: the inner diagnosis sends
  // nothing the outer one did not, and masks every secret the outer one knew.
  const finalUrl = new URL(end.url);
  finalUrl.username = '';
  finalUrl.password = '';
  const inner = await diagnoseAt(
    {
      ...(end.body === undefined ? withoutBody : options),
      ...(basic !== undefined ? { basic } : {}),
      url: finalUrl.href,
      method: end.method,
    },
    1,
    secrets,
  );
  const findings = [...inner.findings, ...outer.findings].sort((a, b) => SEVERITY[a.severity] - SEVERITY[b.severity]);
  const performed = [...(outer.performed ?? []), ...(inner.performed ?? [])];
  return {
    ...outer,
    findings,
    exchanges: [...outer.exchanges, ...inner.exchanges],
    ...(performed.length ? { performed } : {}),
  };
}

/** Whether an exchange already sent `method` (an unsafe one) and the server took it (2xx). */
function performedBy(exchanges: readonly Exchange[], method: string): boolean {
  return exchanges.some((e) => {
    const status = e.response?.status;
    return e.request.method === method && status !== undefined && status >= 200 && status < 300;
  });
}

/** The last hop of a redirect chain that stayed on the origin and ended in a 4xx, as it was sent. */
function refusedAfterRedirects(base: ProbeRequest, exchanges: Exchange[]): ProbeRequest | undefined {
  const hops = exchanges.filter((e) => e.probe === 'redirect');
  const last = hops.at(-1);
  const status = last?.response?.status;
  if (!last || status === undefined || status < 400 || status >= 500) return undefined;
  const sent = followedRequests.get(last);
  if (!sent || hops.some((h) => !followedRequests.get(h) || followedRequests.get(h)!.url.origin !== base.url.origin))
    return undefined;
  return sent;
}

/** Each redirect hop's request as sent (unmasked; never reported), for diagnosing the final answer. */
const followedRequests = new WeakMap<Exchange, ProbeRequest>();

type ContextParts = Pick<
  Context,
  'primary' | 'exchanges' | 'authorization' | 'jwt' | 'issuerMetadata' | 'jwks' | 'origin' | 'localDate'
> &
  Partial<Pick<Context, 'request' | 'verification' | 'resourceMetadata' | 'apiDescription'>>;

/** Builds the context from recorded exchanges and runs every rule (also used for HAR files). */
export function report(url: URL, parts: ContextParts, secrets: readonly string[] = []): Report {
  const context = buildContext(url, parts);
  return toReport(context, runRules(context), secrets);
}

function buildContext(url: URL, parts: ContextParts): Context {
  const response = parts.primary.response;
  return {
    ...parts,
    url,
    challenges: parseChallenges(
      response?.headers.filter(([n]) => n.toLowerCase() === 'www-authenticate').map(([, v]) => v) ?? [],
    ),
    problem:
      response && /json/i.test(header(response.headers, 'content-type') ?? '')
        ? parseProblem(response.body)
        : undefined,
    serverDate: parseHttpDate(header(response?.headers, 'date')),
  };
}

interface Ranked {
  rule: Rule;
  finding: Finding;
}

/** Every rule's finding, most likely cause first: errors before warnings before notes, then by rank. */
function runRules(context: Context): Ranked[] {
  const ranked: Ranked[] = [];
  for (const rule of RULES) {
    const finding = rule.check(context);
    if (finding) ranked.push({ rule, finding });
  }
  return ranked.sort(
    (a, b) => SEVERITY[a.finding.severity] - SEVERITY[b.finding.severity] || a.rule.rank - b.rule.rank,
  );
}

const MAX_ATTEMPTS = 4;
const ok = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * Proves the fixes that can be tried: each rule's corrected request is sent once (the same request
 * proposed twice is sent once) and the answer recorded on its finding. A remedy is built from the
 * request as given, so no credential the user did not give is ever sent.
 */
async function proveFixes(context: Context, ranked: Ranked[], timeout: number, secrets: string[]): Promise<void> {
  if (!context.request) return;
  const sentBefore = new Map<string, Exchange>();
  let attempts = 0;
  // An unsafe method (RFC 9110 §9.2.1) that a fix made succeed has done its work on the server:
  // no second changed request is sent, so the doctor performs the user's action at most once.
  const safe = SAFE_METHODS.has(context.request.method.toUpperCase());
  // Already done by a probe: a 307 hop that carried the POST on, or the request without credentials.
  let performed = !safe && performedBy(context.exchanges, context.request.method);
  for (const { rule, finding } of ranked) {
    if (finding.severity === 'info' || !rule.remedy || performed) continue;
    const remedy = rule.remedy(context, finding);
    if (!remedy) continue;
    const key = JSON.stringify([
      remedy.request.method,
      remedy.request.url.href,
      remedy.request.headers,
      remedy.request.body,
    ]);
    let exchange = sentBefore.get(key);
    if (!exchange) {
      if (attempts >= MAX_ATTEMPTS) continue;
      attempts++;
      exchange = await send('fix', remedy.request, timeout, secrets);
      context.exchanges.push(exchange);
      sentBefore.set(key, exchange);
    }
    const status = exchange.response?.status;
    if (!safe && status !== undefined && status >= 200 && status < 300) performed = true;
    finding.tried = {
      change: remedy.change,
      verified: status !== undefined && status >= 200 && status < 300,
      ...(status !== undefined ? { status } : {}),
      ...(exchange.error !== undefined ? { error: exchange.error } : {}),
    };
  }
}

/**
 * A finding's words, with every form of every secret cut out: rules quote what they read, and what
 * they read may be a credential in a shape no rule foresaw (`Authorization: TOKEN` parses as a
 * scheme named TOKEN). The exchanges are masked where they are recorded; this is the last gate.
 */
function scrubbed(finding: Finding, redact: (text: string) => string): Finding {
  const tried = finding.tried;
  return {
    ...finding,
    title: redact(finding.title),
    evidence: finding.evidence.map(redact),
    fix: redact(finding.fix),
    ...(tried
      ? {
          tried: {
            ...tried,
            change: redact(tried.change),
            ...(tried.error !== undefined ? { error: redact(tried.error) } : {}),
          },
        }
      : {}),
  };
}

function toReport(context: Context, ranked: Ranked[], secrets: readonly string[]): Report {
  const redact = secretRedactor(secrets);
  const response = context.primary.response;
  // A redirect the probes followed: the answer that counts is the one at the end of it.
  const hops = context.exchanges.filter((e) => e.probe === 'redirect');
  const end = response && response.status >= 300 && response.status < 400 ? hops.at(-1) : undefined;
  const final = end?.response;
  // A 2xx counts only where the request was answered: on the origin it was sent to (another
  // origin answered without the user's credentials) and not on a sign-in page (a login form).
  const start = new URL(context.primary.request.url);
  const answered =
    end !== undefined &&
    new URL(end.request.url).origin === start.origin &&
    !signInPage(new URL(end.request.url), start);
  const outcome = !response
    ? 'unreachable'
    : ok(response.status) || (answered && ok(final?.status))
      ? 'success'
      : 'failure';
  const method = context.primary.request.method;
  const performed = SAFE_METHODS.has(method)
    ? []
    : context.exchanges
        // The request as given is the user's own; at depth 1 the primary ('final-url') is the
        // doctor's re-send of it, and counts as any other request of the doctor's.
        .filter(
          (e) =>
            (e !== context.primary || e.probe === 'final-url') && e.request.method === method && ok(e.response?.status),
        )
        .map((e) => `${e.probe} ${e.response!.status}`);
  return {
    url: redactUrl(context.url),
    outcome,
    ...(response ? { status: response.status } : {}),
    ...(final ? { finalStatus: final.status } : {}),
    ...(performed.length ? { performed } : {}),
    findings: ranked.map(({ finding }) => scrubbed(finding, redact)),
    exchanges: context.exchanges,
  };
}

/**
 * Exit codes: 0 it works, 1 a cause was named (also for an answer that works but with a problem
 * named as an error, such as a refused CORS preflight), 2 it fails and no cause fits, or no answer came
 * and none explains why (a request that could not even be sent for a newline in its token has one).
 */
export function exitCode(report: Report): 0 | 1 | 2 {
  if (report.outcome === 'success') return report.findings.some((f) => f.severity === 'error') ? 1 : 0;
  if (report.outcome === 'unreachable') return report.findings.some((f) => f.severity === 'error') ? 1 : 2;
  return report.findings.some((f) => f.severity !== 'info') ? 1 : 2;
}

/**
 * Header fields that say only how to read the answer: all of the user's request that goes to an
 * origin they did not name. The doctor cannot know every API's key header (`X-ApiKey`,
 * `X-Tenant-Secret`…), so everything else stays behind, not only the known credential fields.
 */
const HARMLESS_ELSEWHERE = new Set(['accept', 'accept-language', 'user-agent', 'cache-control', 'pragma']);

async function followRedirects(
  base: ProbeRequest,
  first: Exchange,
  exchanges: Exchange[],
  timeout: number,
  secrets: string[],
): Promise<void> {
  let current = first;
  let url = base.url;
  let headers = base.headers;
  let method = base.method;
  let body = base.body;
  // Once a Location leads off the origin, whoever wrote the next one chose the way: nothing of
  // the user's follows for the rest of the chain, even back to the origin they named.
  let left = false;
  for (let hop = 0; hop < 10; hop++) {
    const location = sentLocation(current) ?? header(current.response?.headers, 'location');
    const status = current.response?.status ?? 0;
    if (!location || status < 300 || status >= 400) return;
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      return; // a Location that is no URL ends the chain; the rules quote it as it came
    }
    // RFC 9110 §15.4.2–§15.4.4, from the method of the hop before: a 303 turns a POST into a GET
    // for good, and a later 307 keeps that GET.
    const rewritten = redirectedMethod(method, status);
    method = rewritten.method;
    if (rewritten.dropsBody) {
      body = undefined;
      headers = headers.filter(([n]) => !CONTENT_HEADERS.includes(n.toLowerCase()));
    }
    if (next.origin !== base.url.origin) left = true;
    if (left) {
      headers = headers.filter(([n]) => HARMLESS_ELSEWHERE.has(n.toLowerCase()));
      body = undefined;
      const refused = notFollowed(next, method, secrets);
      if (refused) {
        exchanges.push(unsent('redirect', { method, url: next, headers }, secrets, `not followed: ${refused}`));
        return;
      }
    }
    url = next;
    const request: ProbeRequest = { method, url, headers, ...(body !== undefined ? { body } : {}) };
    current = await send('redirect', request, timeout, secrets);
    followedRequests.set(current, request);
    exchanges.push(current);
  }
}

/**
 * Why a hop to an origin the user did not name is not sent, or undefined when it may be (as a GET
 * or HEAD with none of the user's headers). An unsafe method (RFC 9110 §9.2.1) would act on a
 * server the user never named, wherever the Location points (an internal host included). The
 * query loses the parameters that carry a credential (as the client does, see
 * client/redirect.ts); a credential anywhere else in the URL (path, host name: its DNS lookup
 * would carry it) keeps the hop from being sent.
 */
function notFollowed(next: URL, method: string, secrets: string[]): string | undefined {
  if (!SAFE_METHODS.has(method))
    return `the doctor sends no ${method} to ${next.origin}, an origin other than the one you named`;
  const forms = new Set(secrets.flatMap((s) => secretForms(s)));
  for (const [name, value] of [...next.searchParams])
    if (isSecretParam(name) || forms.has(value)) next.searchParams.delete(name, value);
  const scrub = secretRedactor(secrets.flatMap((s) => [s, s.toLowerCase()]));
  let decoded = next.href;
  try {
    decoded = decodeURIComponent(next.href);
  } catch {}
  if (scrub(next.href) !== next.href || scrub(decoded) !== decoded)
    return 'the Location carries a credential you gave, and the doctor sends it nowhere else';
  return undefined;
}

async function issuerKeys(iss: unknown, exchanges: Exchange[], timeout: number, secrets: string[]) {
  let issuer: URL;
  try {
    issuer = new URL(String(iss));
  } catch {
    return { metadata: undefined, jwks: undefined };
  }
  if (issuer.protocol !== 'https:' && issuer.protocol !== 'http:') return { metadata: undefined, jwks: undefined };
  const candidates = discoveryUrls(issuer);
  let metadata: Record<string, unknown> | undefined;
  for (const candidate of candidates) {
    const exchange = await send(
      'issuer-metadata',
      { method: 'GET', url: new URL(candidate), headers: [['Accept', 'application/json']] },
      timeout,
      secrets,
    );
    exchanges.push(exchange);
    metadata = jsonObject(exchange);
    if (metadata) break;
  }
  const jwksUri = typeof metadata?.['jwks_uri'] === 'string' ? metadata['jwks_uri'] : undefined;
  if (!jwksUri) return { metadata, jwks: undefined };
  let jwksUrl: URL;
  try {
    jwksUrl = new URL(jwksUri);
  } catch {
    return { metadata, jwks: undefined };
  }
  const exchange = await send(
    'jwks',
    { method: 'GET', url: jwksUrl, headers: [['Accept', 'application/json']] },
    timeout,
    secrets,
  );
  exchanges.push(exchange);
  const jwks = jsonObject(exchange);
  return {
    metadata,
    jwks: Array.isArray(jwks?.['keys']) ? (jwks as { keys: Array<Record<string, unknown>> }) : undefined,
  };
}

/**
 * The API's own word on what tokens it takes: RFC 9728 §5.1 lets a 401's challenge name its
 * protected resource metadata (`resource_metadata`), whose `resource` is the audience a token must
 * carry and whose `authorization_servers` are the issuers it trusts.
 */
async function protectedResourceMetadata(
  primary: Exchange,
  exchanges: Exchange[],
  timeout: number,
  secrets: string[],
): Promise<Record<string, unknown> | undefined> {
  const challenges = parseChallenges(headerAll(primary.response?.headers, 'www-authenticate'));
  const named = challenges.map((c) => c.params['resource_metadata']).find((v) => v !== undefined);
  if (!named) return undefined;
  let url: URL;
  try {
    url = new URL(named);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const exchange = await send(
    'resource-metadata',
    { method: 'GET', url, headers: [['Accept', 'application/json']] },
    timeout,
    secrets,
  );
  exchanges.push(exchange);
  const metadata = jsonObject(exchange);
  const resource = metadata?.['resource'];
  return typeof resource === 'string' && covers(resource, new URL(primary.request.url)) ? metadata : undefined;
}

/**
 * RFC 9728 §3.3: metadata named by a challenge describes the resource that was asked, or it MUST
 * NOT be used; whatever URL the challenge names, metadata about another API says nothing about this
 * one. The RFC asks for the identical URL; an API's resource identifier is commonly its base URL
 * (`https://api.example/` for `https://api.example/me`), so the same origin with a path the
 * request's falls under is taken as the same resource.
 */
function covers(resource: string, asked: URL): boolean {
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    return false;
  }
  const base = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return url.origin === asked.origin && (asked.pathname === url.pathname || asked.pathname.startsWith(base));
}

function jsonObject(exchange: Exchange): Record<string, unknown> | undefined {
  if (exchange.response?.status !== 200) return undefined;
  try {
    const value = JSON.parse(exchange.response.body);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The JWT's signature checked with the keys given, else with the key set its issuer publishes.
 * An unsigned token has no signature to check (alg_not_allowed names it).
 */
async function checkSignature(
  token: string,
  header: Record<string, unknown>,
  given: KeySet | undefined,
  published: { keys: Array<Record<string, unknown>> } | undefined,
  exchanges: Exchange[],
): Promise<TokenVerification | undefined> {
  if (String(header['alg'] ?? '').toLowerCase() === 'none') return undefined;
  if (given) return { by: 'given', result: await verifyToken(token, given) };
  const keys = published ? jwkSet(published) : undefined;
  if (!keys?.length) return undefined;
  const from = exchanges.findLast((e) => e.probe === 'jwks')?.request.url ?? "the issuer's JWKS";
  return { by: 'issuer', result: await verifyToken(token, { keys, from }) };
}

/**
 * The credentials in a request body (`--data`), form-encoded or JSON, by their fields' names: a
 * server that echoes the request (httpbin's /post, a debug page) gives them back in the report.
 */
function bodySecrets(data: string | undefined): string[] {
  const text = data?.trim();
  if (!text) return [];
  if (!text.startsWith('{') && !text.startsWith('['))
    return [...new URLSearchParams(text)].filter(([name]) => isSecretField(name)).map(([, value]) => value);
  const found: string[] = [];
  const walk = (value: unknown, name: string, depth: number): void => {
    if (typeof value === 'string' && isSecretField(name)) found.push(value);
    else if (value && typeof value === 'object' && depth < 32)
      for (const [key, member] of Object.entries(value)) walk(member, Array.isArray(value) ? name : key, depth + 1);
  };
  try {
    walk(JSON.parse(text), '', 0);
  } catch {}
  return found;
}

/** `user:password` from a URL's userinfo, when no other Authorization is given. */
function fromUserinfo(url: URL, headers: Array<[string, string]>, bearer: boolean): string | undefined {
  if ((!url.username && !url.password) || bearer || headers.some(([n]) => n.toLowerCase() === 'authorization'))
    return undefined;
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  return `${decode(url.username)}:${decode(url.password)}`;
}

/** An HMAC secret given as a key, as text: scrubbed like a credential wherever a server might echo it. */
function givenSecrets(keys: KeySet | undefined): string[] {
  if (!keys || 'unavailable' in keys) return [];
  return keys.keys.flatMap((key) => {
    if (key.kind !== 'secret') return [];
    const text = new TextDecoder('utf-8', { fatal: false }).decode(key.bytes);
    return text.includes('\uFFFD') ? [] : [text];
  });
}

/** Request headers a browser sets itself and scripts may not (the Fetch standard's forbidden request-headers). */
const FORBIDDEN_REQUEST_HEADERS =
  /^(accept-charset|accept-encoding|access-control-request-headers|access-control-request-method|connection|content-length|cookie|cookie2|date|dnt|expect|host|keep-alive|origin|referer|set-cookie|te|trailer|transfer-encoding|upgrade|via|user-agent|proxy-.*|sec-.*)$/i;

/** Whether a browser names this header in a preflight's Access-Control-Request-Headers. */
function corsUnsafe(name: string, value: string): boolean {
  const n = name.toLowerCase();
  if (FORBIDDEN_REQUEST_HEADERS.test(n) || n === 'accept' || n === 'accept-language' || n === 'content-language')
    return false;
  if (n !== 'content-type') return true;
  const essence = value.split(';')[0]!.trim().toLowerCase();
  return !['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'].includes(essence);
}
