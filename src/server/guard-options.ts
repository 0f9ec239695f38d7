/**
 * The guard's options, and the one place they are checked: once, at creation, into the settled
 * configuration every request reads.
 */
import { invalidArgument } from '../http/argument-error.ts';
import { type CorsPolicy, type CorsRules, corsRules } from './cors.ts';
import type { Permission } from './permissions.ts';
import type { ProtectedResourceMetadata } from './protected-resource.ts';
import { type RecentAnswer, recentAnswerOf } from './recent-credentials.ts';
import type { Refusal } from './refusal.ts';
import type { RefusalAnswer } from './refusal-response.ts';
import { DEFAULT_MAX_BODY_BYTES } from './request-limits.ts';
import type { RequestView, Scheme } from './scheme.ts';
import type { OnError } from './server-failure.ts';

export interface GuardOptions {
  /**
   * The schemes this API accepts. The guard keeps a copy of the list (and of these options) made at
   * creation: a scheme pushed onto the array or taken off it later changes nothing for that guard.
   */
  schemes: readonly Scheme<unknown>[];
  /** The realm of every challenge. @default 'api' */
  realm?: string;
  /** Applied when authenticate() is called without a permission of its own. */
  permission?: Permission;
  /**
   * The body of a refusal: RFC 9457 problem details, or `{ "detail": … }` as FastAPI and DRF
   * send for clients that expect that shape. @default 'problem'
   */
  body?: 'problem' | 'detail';
  /** Sees every refusal (for logging); it carries no credential. A throw from it is ignored: the refusal is answered all the same. */
  onRefusal?: (refusal: Refusal, request: RequestView) => void;
  /**
   * Which browser origins may call, with which methods and headers: the adapters answer their
   * preflights with it and let them read answers and refusals. Without it a preflight gets 204
   * with no CORS allowance (a CORS middleware in front of the guard answers preflights itself).
   */
  cors?: CorsPolicy;
  /**
   * Sees every failure of the server's own (a scheme's store or key source, a permission that
   * throws), which is answered 503 store_unavailable / keys_unavailable or 500 internal_error,
   * never 401. @default one line on stderr naming the failing source
   */
  onError?: OnError;
  /** The largest body read for a scheme that verifies it (signed requests); larger is 413. @default 1_048_576 */
  maxBodyBytes?: number;
  /**
   * This API's protected resource metadata (RFC 9728): what `protectedResourceMetadata()` returns,
   * or the absolute URL of the document. Every Bearer challenge then names it as
   * `resource_metadata` (§5.1), so that a client given only this API's URL finds its
   * authorization server. Serve the document itself with `mountFetch(prm.handle)`.
   */
  resourceMetadata?: ProtectedResourceMetadata | string | URL;
}

/** What the guard settled at creation, with the options it still reads on every request. */
export interface GuardConfig extends RefusalAnswer {
  readonly options: GuardOptions;
  readonly cors: CorsRules | undefined;
  readonly maxBodyBytes: number;
  /** The auth-scheme names the schemes read from Authorization, lower-case. */
  readonly authorizationSchemes: ReadonlySet<string>;
  /** The schemes a refusal tells the client to use, as their challenges name them. */
  readonly accepted: string;
  /**
   * The only scheme's answer for credentials it verified recently (recent-credentials.ts), read
   * from the Authorization field before the guard reads it in full; undefined with several schemes.
   */
  readonly recent: { scheme: Scheme<unknown>; answer: RecentAnswer } | undefined;
}

/** Checks the options once, at creation. */
export function configOf(options: GuardOptions): GuardConfig {
  if (!options || !Array.isArray(options.schemes) || options.schemes.length === 0)
    throw invalidArgument('createGuard: schemes must list at least one scheme');
  const realm = options.realm ?? 'api';
  if (typeof realm !== 'string' || /[\u0000-\u001f\u007f]/.test(realm))
    throw invalidArgument('createGuard: realm must be a string without control characters');
  // A copy: the guard is settled at creation, whatever becomes of the caller's list.
  const schemes: readonly Scheme<unknown>[] = Object.freeze([...options.schemes]);
  const names = new Set<string>();
  for (const [i, scheme] of schemes.entries()) {
    const s = scheme as Partial<Scheme<unknown>> | undefined;
    if (
      typeof s !== 'object' ||
      s === null ||
      typeof s.name !== 'string' ||
      typeof s.detect !== 'function' ||
      typeof s.verify !== 'function' ||
      typeof s.challenge !== 'function'
    )
      throw invalidArgument(
        `createGuard: schemes[${i}] is not a scheme; pass what a scheme factory returns, e.g. bearerScheme({ jwt: { … } })`,
      );
    if (names.has(scheme.name)) throw invalidArgument(`createGuard: two schemes are named "${scheme.name}"`);
    names.add(scheme.name);
  }
  const body = options.body ?? 'problem';
  const corsPolicy = options.cors;
  const cors = corsPolicy === undefined ? undefined : corsRules(corsPolicy);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const metadata = options.resourceMetadata;
  const resourceMetadata = resourceMetadataUrl(metadata);
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0)
    throw invalidArgument('createGuard: maxBodyBytes must be a whole number of bytes');
  return {
    // A copy, as the list of schemes: a permission or hook set on the caller's object later changes
    // nothing. Each option is read by name, not spread: a spread keeps only own enumerable
    // properties, and would drop a permission an app's options inherit or hold in a class getter.
    options: copyOf(options, {
      schemes,
      realm,
      body,
      maxBodyBytes,
      ...(corsPolicy === undefined ? {} : { cors: corsPolicy }),
      ...(metadata === undefined ? {} : { resourceMetadata: metadata }),
    }),
    schemes,
    realm,
    body,
    cors,
    maxBodyBytes,
    ...(resourceMetadata === undefined ? {} : { resourceMetadata }),
    authorizationSchemes: new Set(schemes.flatMap((s) => s.authorizationSchemes ?? [])),
    accepted: schemes
      .map((s) => s.challenge(realm)?.scheme)
      .filter(Boolean)
      .join(', '),
    recent: recentOf(schemes),
  };
}

/** The options, each read once by name (own or inherited): those already read, then the hooks. */
function copyOf(options: GuardOptions, read: GuardOptions): Readonly<GuardOptions> {
  const copy: GuardOptions = { ...read };
  const { permission, onRefusal, onError } = options;
  if (permission !== undefined) copy.permission = permission;
  if (onRefusal !== undefined) copy.onRefusal = onRefusal;
  if (onError !== undefined) copy.onError = onError;
  return Object.freeze(copy);
}

/** The only scheme's answer for recent credentials: with one scheme, no other can find credentials of its own. */
function recentOf(schemes: readonly Scheme<unknown>[]): GuardConfig['recent'] {
  const answer = schemes.length === 1 ? recentAnswerOf(schemes[0]!) : undefined;
  return answer === undefined ? undefined : { scheme: schemes[0]!, answer };
}

/** The metadata URL a challenge names: an absolute http(s) URL, or undefined without the option. */
function resourceMetadataUrl(option: GuardOptions['resourceMetadata']): string | undefined {
  if (option === undefined) return undefined;
  const given = typeof option === 'string' || option instanceof URL ? String(option) : option?.url;
  const url = typeof given === 'string' ? URL.parse(given) : null;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || /[\u0000-\u001f\u007f"\\]/.test(given!))
    throw invalidArgument(
      'createGuard: resourceMetadata is what protectedResourceMetadata() returns, or the absolute URL of the document (RFC 9728 §3)',
    );
  return given;
}
