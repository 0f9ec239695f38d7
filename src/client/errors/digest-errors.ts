import { GatehouseError } from '../../http/gatehouse-error.ts';

/**
 * A Digest challenge asked for a weaker algorithm than one that has already worked for this
 * origin (RFC 7616 §5.2: MD5 is for backward compatibility only; an attacker who can answer for
 * the server offers the weakest). Not answered; `digest(…, { allowDowngrade: true })` answers it.
 */
export class DigestDowngradeError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_DIGEST_DOWNGRADE';
  readonly origin: string;
  /** The strongest algorithm that has worked for the origin. */
  readonly established: string;
  /** The algorithms the refused challenge offered. */
  readonly offered: readonly string[];

  constructor(details: { origin: string; established: string; offered: readonly string[] }) {
    super(
      `${details.origin}: ${details.established} has worked for this origin, and its new Digest challenge offers only ${details.offered.join(', ')}; not answered (a downgrade may be an attack). Pass digest(…, { allowDowngrade: true }) if the server really changed.`,
      DigestDowngradeError.code,
    );
    this.origin = details.origin;
    this.established = details.established;
    this.offered = details.offered;
  }
}

/**
 * A Digest challenge for a realm this client does not answer: not the `realm` option's, or,
 * without it, not the realm first answered at this origin. The password is never used for it.
 */
export class DigestRealmError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_DIGEST_REALM';
  readonly origin: string;
  /** The realms the refused challenges named (as the server sent them, cut to 100 characters). */
  readonly offered: readonly string[];
  /** The realms this client answers at the origin. */
  readonly answered: readonly string[];

  constructor(details: {
    origin: string;
    offered: readonly string[];
    answered: readonly string[];
    configured: boolean;
  }) {
    const show = (realms: readonly string[]) => realms.map((r) => JSON.stringify(r)).join(', ');
    super(
      `${details.origin} asked for Digest credentials for realm ${show(details.offered)}, but this client answers only ${show(details.answered)} there (${details.configured ? 'the digest realm option' : 'the realm first answered at this origin'}); not answered. Set digest(…, { realm }) to the realm the password belongs to.`,
      DigestRealmError.code,
    );
    this.origin = details.origin;
    this.offered = details.offered;
    this.answered = details.answered;
  }
}
