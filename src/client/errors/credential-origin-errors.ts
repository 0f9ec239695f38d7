import { GatehouseError } from '../../http/gatehouse-error.ts';

/**
 * A call named an origin that is neither the baseUrl's nor a trusted one, from a client that
 * holds credentials (an auth strategy, or credential headers in its `headers`). Refused before
 * anything is sent: a link taken from an answer (a `next` page, a HATEOAS href) must not carry
 * the client's credentials to whoever it names. `otherOrigins: 'omit'` sends such a call without
 * them; `redirect.trustedOrigins` lists origins that get them.
 */
export class CrossOriginCredentialsError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_CROSS_ORIGIN_CREDENTIALS';
  /** The origin the call named. */
  readonly origin: string;
  /** The origins the client's credentials belong to: the baseUrl's, then redirect.trustedOrigins. */
  readonly allowed: readonly string[];

  constructor(details: { method: string; url: string; origin: string; allowed: readonly string[] }) {
    super(
      `${details.method} ${details.url}: not sent, since this client's credentials belong to ${details.allowed.join(', ')} (baseUrl and redirect.trustedOrigins), not to ${details.origin}. Pass otherOrigins: 'omit' (per client or per call) to send it without them, or list the origin in redirect.trustedOrigins.`,
      CrossOriginCredentialsError.code,
    );
    this.origin = details.origin;
    this.allowed = details.allowed;
  }
}

/**
 * A redirect to an origin that does not get the client's credentials named one of them outside
 * a query parameter that could be dropped: in the path, the host, the fragment, the userinfo, or
 * inside a longer query value. Not followed: the Location itself would deliver the secret.
 * `from` and `to` are shown with every form of the secret replaced.
 */
export class RedirectSecretError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_REDIRECT_SECRET';
  readonly from: string;
  readonly to: string;
  readonly status: number;

  constructor(details: { from: string; to: string; status: number }) {
    super(
      `the ${details.status} redirect from ${details.from} to ${details.to} carries a credential of this client in its Location (… marks where); not followed.`,
      RedirectSecretError.code,
    );
    this.from = details.from;
    this.to = details.to;
    this.status = details.status;
  }
}
