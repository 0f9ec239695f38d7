/**
 * `diagnose()`: probes an endpoint and names the cause of a 401 (or 403, 429…) with evidence and
 * the fix. The report it returns is what `gatehouse doctor --json` prints.
 */
import { invalidArgument } from '../http/argument-error.ts';
import {
  formatAuthorization,
  headerSecrets,
  isCredentialHeader,
  isSecretHeader,
  parseAuthorization,
  urlSecrets,
} from '../http/index.ts';
import { decodeJwt } from '../http/jwt.ts';
import { fetchApiDescription } from './api-description.ts';
import { checkSignature, issuerKeys, resourceEvidence } from './issuer.ts';
import type { KeySet } from './key-source.ts';
import { send } from './probes.ts';
import { performedBy, proveFixes, SAFE_METHODS } from './prove.ts';
import { differences } from './readings/comparison.ts';
import { dpopOf } from './readings/dpop.ts';
import { followRedirects, refusedAfterRedirects } from './redirects.ts';
import { buildContext, exitCode, report, runRules, SEVERITY, toReport } from './report.ts';
import { bodySecrets, corsUnsafe, fromUserinfo, givenSecrets } from './request-secrets.ts';
import type { Exchange, ProbeRequest, Report } from './types.ts';

export { exitCode, report };

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

export function diagnose(options: DiagnoseOptions): Promise<Report> {
  return diagnoseAt(options, 0);
}

/**
 * `depth` 1 is the answer at the end of a same-origin redirect chain, diagnosed in its own right
 * (its own comparison probes and fixes) and folded into the report of the request as given.
 */
async function diagnoseAt(options: DiagnoseOptions, depth: 0 | 1, inherited: readonly string[] = []): Promise<Report> {
  const given = prepared(options, inherited);
  const { base, method, timeout, secrets } = given;
  const exchanges: Exchange[] = [];
  // At depth 1 the request as given is the one a client makes at the end of the redirects.
  const primary = await send(depth === 0 ? 'as-given' : 'final-url', base, timeout, secrets);
  exchanges.push(primary);
  const localDate = Date.now();

  const status = primary.response?.status;
  if (status !== undefined && status >= 400 && base.headers.some(([n]) => isCredentialHeader(n)))
    await comparisonProbes(given, primary, exchanges);
  if (status !== undefined && status >= 300 && status < 400)
    await followRedirects(base, primary, exchanges, timeout, secrets);
  if (options.origin) exchanges.push(await preflightProbe(given, options.origin));
  const token = await tokenEvidence(given, options.keys, exchanges);
  const read = token.reading ? [token.reading] : [];
  const resource = await resourceEvidence(primary, read, exchanges, timeout, secrets);
  const apiDescription = await fetchApiDescription(base.url, method, primary, exchanges, timeout, secrets);
  const context = buildContext(base.url, {
    request: base,
    ...(apiDescription ? { apiDescription } : {}),
    primary,
    exchanges,
    authorization: given.authorization,
    ...dpopOf(base.headers),
    jwt: token.jwt,
    issuerMetadata: token.metadata,
    jwks: token.jwks,
    origin: options.origin,
    localDate,
    ...(token.verification ? { verification: token.verification } : {}),
    ...resource,
    // The form a token request carries is read by the rules on the token endpoint's refusals.
    ...(base.body !== undefined ? { body: base.body } : {}),
  });
  const ranked = runRules(context);
  await proveFixes(context, ranked, timeout, secrets);
  const outer = toReport(context, ranked, secrets);
  const end = depth === 0 ? refusedAfterRedirects(base, exchanges) : undefined;
  // An unsafe method a fix already made succeed is not sent again, here or by the inner diagnosis.
  if (!end || (!SAFE_METHODS.has(method) && performedBy(exchanges, method))) return outer;
  return withFinalUrl(outer, options, given, end);
}

/** The request as given, checked and built once: its URL, method, header lines and every secret in it. */
interface Prepared {
  base: ProbeRequest;
  method: string;
  timeout: number;
  /** The Authorization values as given (unmasked, never reported). */
  authorization: string[];
  /** Basic credentials sent, `user:password` (from --basic or the URL's userinfo). */
  basic: string | undefined;
  secrets: string[];
}

function prepared(options: DiagnoseOptions, inherited: readonly string[]): Prepared {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    // Not echoed: a URL that does not parse may still carry user:password.
    throw invalidArgument('diagnose: the url is not an absolute URL (it starts with http:// or https://)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalidArgument('diagnose: only http and https URLs can be probed');
  const method = (options.method ?? 'GET').toUpperCase();
  // RFC 9110 §9.1: a method is a token; anything else cannot be sent, and is the caller's mistake.
  if (!/^[!#$%&'*+.^_`|~0-9A-Z-]+$/.test(method))
    throw invalidArgument(`diagnose: ${JSON.stringify(method.slice(0, 20))} is not an HTTP method`);
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
      formatAuthorization({ kind: 'basic', username: basic.slice(0, colon), password: basic.slice(colon + 1) }),
    ]);
  }
  if (options.data !== undefined && !headers.some(([n]) => n.toLowerCase() === 'content-type'))
    headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
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
  return {
    base: { method, url, headers, ...(options.data !== undefined ? { body: options.data } : {}) },
    method,
    timeout: options.timeoutMs ?? 5000,
    authorization: headers.filter(([n]) => n.toLowerCase() === 'authorization').map(([, v]) => v),
    basic,
    secrets,
  };
}

/** The same request without its credentials, and with the scheme in its registered spelling. */
async function comparisonProbes(given: Prepared, primary: Exchange, exchanges: Exchange[]): Promise<void> {
  const { base, method, timeout, secrets, authorization } = given;
  const withoutCredentials = { ...base, headers: base.headers.filter(([n]) => !isCredentialHeader(n)) };
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
    const fixed = base.headers.map(([n, v]): [string, string] =>
      n.toLowerCase() === 'authorization' ? [n, canonical + v.slice(canonical.length)] : [n, v],
    );
    exchanges.push(await send('canonical-scheme', { ...base, headers: fixed }, timeout, secrets));
  }
}

/** The CORS preflight a browser at `origin` would send before this request. */
function preflightProbe(given: Prepared, origin: string): Promise<Exchange> {
  // Only what a browser asks for (the Fetch standard's CORS-unsafe request-header names): not a
  // header it sets itself and never lets a script set (Cookie, Host, Origin…), nor a safelisted one
  // (Accept, Accept-Language, Content-Language, a form or text Content-Type). Asking for more
  // makes a preflight a browser passes look refused.
  const asked = given.base.headers.filter(([n, v]) => corsUnsafe(n, v)).map(([n]) => n.toLowerCase());
  const headers: Array<[string, string]> = [
    ['Origin', origin],
    ['Access-Control-Request-Method', given.method],
    ...(asked.length ? [['Access-Control-Request-Headers', [...new Set(asked)].join(', ')] as [string, string]] : []),
  ];
  return send('preflight', { method: 'OPTIONS', url: given.base.url, headers }, given.timeout, given.secrets);
}

/** For a bearer JWT: its issuer's metadata and keys, and the signature checked. */
async function tokenEvidence(given: Prepared, keys: KeySet | undefined, exchanges: Exchange[]) {
  const { timeout, secrets } = given;
  const bearer = given.authorization
    .map((v) => parseAuthorization(v))
    .find((p) => p.ok && p.credentials.kind === 'bearer');
  const token = bearer?.ok && bearer.credentials.kind === 'bearer' ? bearer.credentials.token : undefined;
  const jwt = token !== undefined ? decodeJwt(token) : undefined;
  if (!jwt || token === undefined)
    return { jwt, metadata: undefined, jwks: undefined, verification: undefined, reading: undefined };
  const { metadata, jwks, reading } = await issuerKeys(jwt.payload['iss'], exchanges, timeout, secrets);
  const verification = await checkSignature(token, jwt.header, keys, jwks, exchanges);
  return { jwt, metadata, jwks, verification, reading };
}

/**
 * The redirects stayed on the origin and ended in a refusal: why it refused is the question, so the
 * final URL is diagnosed as the request the client really made there (method as followed), and its
 * findings and exchanges folded into the report of the request as given.
 */
async function withFinalUrl(
  outer: Report,
  options: DiagnoseOptions,
  given: Prepared,
  end: ProbeRequest,
): Promise<Report> {
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
      ...(given.basic !== undefined ? { basic: given.basic } : {}),
      url: finalUrl.href,
      method: end.method,
    },
    1,
    given.secrets,
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
