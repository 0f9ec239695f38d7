/** `--key`, `--jwks` or `--issuer`: the keys a bearer JWT's signature is verified with (doctor and token inspect). */
import {
  httpUrl,
  KeyOptionError,
  type KeySet,
  keysFromIssuer,
  keysFromJwks,
  keysFromOption,
} from '../doctor/key-source.ts';
import { UsageError } from './usage-error.ts';

export interface KeyOptions {
  key?: string | undefined;
  jwks?: string | undefined;
  issuer?: string | undefined;
}

/**
 * The keys `--key`, `--jwks` or `--issuer` name (one of them), checked now and fetched when asked
 * for. A source given wrongly is bad usage.
 */
export function keySource(values: KeyOptions): { load: () => Promise<KeySet>; secret?: Uint8Array } | undefined {
  const sources = [values.key, values.jwks, values.issuer].filter((v) => v !== undefined).length;
  if (sources > 1) throw new UsageError('choose one of --key, --jwks or --issuer');
  try {
    if (values.key !== undefined) {
      const given = keysFromOption(values.key);
      const secret = given.length === 1 && given[0]!.kind === 'secret' ? { secret: given[0]!.bytes } : {};
      return { load: async () => ({ keys: given, from: '--key' }), ...secret };
    }
    if (values.jwks !== undefined) {
      const url = httpUrl('--jwks', values.jwks);
      return { load: () => keysFromJwks(url) };
    }
    if (values.issuer !== undefined) {
      const url = httpUrl('--issuer', values.issuer);
      return { load: () => keysFromIssuer(url) };
    }
  } catch (error) {
    if (error instanceof KeyOptionError) throw new UsageError(error.message);
    throw error;
  }
  return undefined;
}
