/** The doctor's report: what was sent and received, and what it means. */
import type { Challenge, ProblemDetails } from '../http/index.ts';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  /** Stable: one of the codes in rules/, documented in the README. */
  code: string;
  severity: Severity;
  title: string;
  /** Lines of the exchange that show it, secrets masked (`> ` sent, `< ` received). */
  evidence: string[];
  /** What to do about it. */
  fix: string;
}

/** Which probe an exchange belongs to. */
export type ProbeName =
  | 'as-given'
  | 'without-credentials'
  | 'canonical-scheme'
  | 'redirect'
  | 'preflight'
  | 'issuer-metadata'
  | 'jwks'
  | 'har';

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
  /** `success`: a 2xx; `failure`: anything else; `unreachable`: no response at all. */
  outcome: 'success' | 'failure' | 'unreachable';
  status?: number;
  findings: Finding[];
  exchanges: Exchange[];
}

/** What the rules read: the exchanges plus what was worked out from them once. */
export interface Context {
  url: URL;
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
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

export interface Rule {
  code: string;
  /** Lower comes first among findings of the same severity: the more specific the cause, the lower. */
  rank: number;
  check(context: Context): Finding | undefined;
}
