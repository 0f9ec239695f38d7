/** The doctor's report: what was sent and received, and what it means. */
import type { Challenge, ProblemDetails } from '../http/index.ts';
import type { DecodedJwt } from '../http/jwt.ts';
import type { Verification } from './token-verify.ts';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  /** Stable: one of the codes in rules/, listed in docs/doctor-findings.md. */
  code: string;
  severity: Severity;
  title: string;
  /** Lines of the exchange that show it, secrets masked (`> ` sent, `< ` received). */
  evidence: string[];
  /** What to do about it. */
  fix: string;
  /**
   * The fix, tried: the request sent again with only this change (never with a credential the user
   * did not give), and what the server answered. Absent when the fix cannot be tried automatically.
   */
  tried?: Attempt;
}

export interface Attempt {
  /** The change, in words: "sent the scheme as Token", "added the trailing slash". */
  change: string;
  /** True when the server answered 2xx to the changed request. */
  verified: boolean;
  status?: number;
  /** Why no answer came, when none did. */
  error?: string;
}

/** Which probe an exchange belongs to. */
export type ProbeName =
  | 'as-given'
  /** The request as given, sent to where a same-origin redirect chain ended (diagnosed in its own right). */
  | 'final-url'
  | 'without-credentials'
  | 'canonical-scheme'
  | 'redirect'
  | 'preflight'
  | 'issuer-metadata'
  | 'resource-metadata'
  | 'jwks'
  | 'api-description'
  | 'har'
  | 'fix';

export interface RecordedRequest {
  method: string;
  url: string;
  /** Header lines as sent, values masked where they carry a secret. */
  headers: Array<[string, string]>;
}

export interface RecordedResponse {
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  /** The start of the body (4 KiB at most), secrets masked. */
  body: string;
}

export interface Exchange {
  probe: ProbeName;
  request: RecordedRequest;
  response?: RecordedResponse;
  /** Why no response came, when none did. */
  error?: string;
  durationMs?: number;
}

export interface Report {
  url: string;
  /**
   * `success`: a 2xx, directly or at the end of same-origin redirects; `failure`: anything else;
   * `unreachable`: no response at all.
   */
  outcome: 'success' | 'failure' | 'unreachable';
  /** The status of the first answer. */
  status?: number;
  /** The status at the end of the redirects followed, when the first answer was a redirect. */
  finalStatus?: number;
  /**
   * For an unsafe method (POST, PUT, PATCH, DELETE…): the doctor's own requests the server took
   * (2xx), as `probe status`, since each of them carried out the action: the request without
   * credentials to a server that takes it anonymously, a redirect hop, a proved fix.
   */
  performed?: string[];
  findings: Finding[];
  exchanges: Exchange[];
}

/** What the rules read: the exchanges plus what was worked out from them once. */
export interface Context {
  url: URL;
  /**
   * The request as it was sent, unmasked, for rules that build a corrected request to try. Never
   * reported. Absent when nothing may be sent (a HAR file read offline).
   */
  request?: ProbeRequest;
  /** The exchange as the user gave it (for a HAR, the recorded one). */
  primary: Exchange;
  exchanges: Exchange[];
  /** Raw Authorization values as given (unmasked, never reported). */
  authorization: string[];
  /** The challenges of the primary response. */
  challenges: Challenge[];
  problem: ProblemDetails | undefined;
  /** The server's clock (its Date header), ms. */
  serverDate: number | undefined;
  /** The local clock when the response came, ms. */
  localDate: number;
  jwt: DecodedJwt | undefined;
  /** The issuer's metadata and key set, when they were fetched. */
  issuerMetadata: Record<string, unknown> | undefined;
  jwks: { keys: Array<Record<string, unknown>> } | undefined;
  origin: string | undefined;
  /**
   * The bearer JWT's signature checked here: with the keys the user gave (`--key`, `--jwks`,
   * `--issuer`), else with the key set the token's issuer publishes. Absent when not checked.
   */
  verification?: TokenVerification;
  /**
   * The API's protected resource metadata (RFC 9728), when its challenge named it
   * (`resource_metadata`): the audience (`resource`) and issuers (`authorization_servers`) it expects.
   */
  resourceMetadata?: Record<string, unknown>;
  /**
   * Resource metadata the challenge named that describes another resource (RFC 9728 §3.3: a client
   * MUST NOT use it): where it was read and the `resource` it names.
   */
  foreignResourceMetadata?: { url: string; resource: unknown };
  /** Authorization server metadata read (RFC 8414): the identifier it was read for, where, and the issuer it names. */
  authorizationServers?: AuthorizationServerReading[];
  /** The request body as given (unmasked, never reported): a token request's form is read from it. */
  body?: string;
  /** What the rest of a HAR file shows of the OAuth flow the entry belongs to. */
  oauthFlow?: OAuthFlow;
  /** How the API's own description says to authenticate, when it was asked for and found. */
  apiDescription?: ApiDescription;
  /** The request's DPoP proofs (RFC 9449), unmasked, never reported; absent when it sent none. */
  dpop?: DpopRequest;
}

/** The DPoP credentials of the request as given (raw values, never reported). */
export interface DpopRequest {
  /** The `DPoP` header values sent (RFC 9449 §4.3 point 1: there must be exactly one). */
  proofs: string[];
  /** In a HAR file: the index of an earlier entry that sent a proof with the same `jti`. */
  replayOf?: number;
}

export interface AuthorizationServerReading {
  /** The issuer identifier the metadata was read for (a token's `iss`, an RFC 9728 `authorization_servers` entry). */
  identifier: string;
  /** The metadata URL built from it (RFC 8414 §3.1). */
  url: string;
  /** The `issuer` the document names. */
  issuer: unknown;
}

/** Earlier entries of a HAR file that belong to an authorization code flow (values unmasked, never reported). */
export interface OAuthFlow {
  /** Authorization requests (`response_type=code`), with the code their answer's Location carried. */
  authorizations: Array<{ index: number; url: URL; code?: string }>;
  /** Token requests with `grant_type=authorization_code` before this entry. */
  redemptions: Array<{ index: number; form: URLSearchParams; status: number }>;
}

export interface TokenVerification {
  /** Whose keys: the user's, or those the token's issuer publishes. */
  by: 'given' | 'issuer';
  result: Verification;
}

/** The security schemes an API's OpenAPI description declares, as far as they apply to the request. */
export interface ApiDescription {
  /** Where the description was read. */
  url: string;
  schemes: ApiScheme[];
}

/**
 * One security scheme of an OpenAPI description: `components.securitySchemes` (OpenAPI 3) or
 * `securityDefinitions` (Swagger 2), under the name the description gives it.
 */
export type ApiScheme =
  | { type: 'apiKey'; name: string; in: 'header' | 'query' | 'cookie'; parameter: string }
  /** `scheme`: basic, bearer, digest… (Swagger 2's `basic` is `http` with `basic`). */
  | { type: 'http'; name: string; scheme: string }
  | { type: 'oauth2'; name: string; tokenUrl?: string }
  | { type: 'openIdConnect'; name: string; discoveryUrl?: string };

export type { DecodedJwt };

/** A corrected request a rule proposes, to be sent to prove its fix. */
export interface Remedy {
  /** What was changed, in words, for the report. */
  change: string;
  request: ProbeRequest;
}

export interface Rule {
  code: string;
  /** When the rule fires, in one sentence: the finding codes' documentation is generated from it. */
  summary: string;
  /** Lower comes first among findings of the same severity: the more specific the cause, the lower. */
  rank: number;
  check(context: Context): Finding | undefined;
  /**
   * The request with the fix applied, when it can be tried automatically. Built only from what the
   * user gave (context.request): a remedy never adds a credential of its own.
   */
  remedy?(context: Context, finding: Finding): Remedy | undefined;
}

/** A request as the doctor sends it: the URL and headers it was given, secrets unmasked. */
export interface ProbeRequest {
  method: string;
  url: URL;
  headers: Array<[string, string]>;
  body?: string;
}

/** A rule and the finding it made, as the report ranks them. */
export interface Ranked {
  rule: Rule;
  finding: Finding;
}
