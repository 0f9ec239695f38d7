/**
 * Diagnosing a HAR file exported from browser devtools: every 401 and 403 in it is diagnosed
 * from the recorded exchange; nothing is sent unless asked (replay).
 */
import { readFile } from 'node:fs/promises';
import { GatehouseError } from '../http/gatehouse-error.ts';
import {
  headerSecrets,
  isSecretHeader,
  maskHeader,
  redactText,
  redactUrl,
  secretRedactor,
  urlSecrets,
} from '../http/index.ts';
import { decodeJwt } from '../http/jwt.ts';
import { diagnose, report } from './diagnose.ts';
import type { Exchange, Report } from './types.ts';

interface HarEntry {
  request?: { method?: string; url?: string; headers?: Array<{ name?: string; value?: string }> };
  response?: {
    status?: number;
    statusText?: string;
    headers?: Array<{ name?: string; value?: string }>;
    content?: { text?: string };
  };
}

/** A HAR file that does not exist or cannot be read as one. */
export class HarError extends GatehouseError {
  static override readonly code = 'ERR_GATEHOUSE_HAR';
  declare readonly code: typeof HarError.code;
  constructor(message: string) {
    super(message, HarError.code);
  }
}

export async function diagnoseHar(
  path: string,
  options: { replay?: boolean; timeoutMs?: number } = {},
): Promise<Report[]> {
  let har: { log?: { entries?: HarEntry[] } };
  try {
    har = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const what =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'does not exist'
        : 'is not a JSON HAR file (export it from the Network tab: "Save all as HAR")';
    throw new HarError(`${path} ${what}`);
  }
  const entries = har.log?.entries;
  if (!Array.isArray(entries)) throw new HarError(`${path} has no log.entries: is it a HAR file?`);
  const reports: Report[] = [];
  for (const entry of entries) {
    const status = entry.response?.status;
    if (status !== 401 && status !== 403) continue;
    const url = entry.request?.url;
    if (typeof url !== 'string') continue;
    const headers = (entry.request?.headers ?? [])
      .filter((h) => typeof h.name === 'string' && typeof h.value === 'string' && !h.name.startsWith(':'))
      .map((h) => [h.name!, h.value!] as [string, string]);
    if (options.replay) {
      reports.push(
        await diagnose({
          url,
          method: entry.request?.method ?? 'GET',
          headers,
          ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        }),
      );
      continue;
    }
    const authorization = headers.filter(([n]) => n.toLowerCase() === 'authorization').map(([, v]) => v);
    const secrets = [
      ...headers.filter(([n]) => isSecretHeader(n)).flatMap(([n, v]) => headerSecrets(n, v)),
      ...urlSecrets(url),
    ];
    const redact = secretRedactor(secrets);
    const exchange: Exchange = {
      probe: 'har',
      request: {
        method: entry.request?.method ?? 'GET',
        // The recorded URL as a report shows any: no userinfo, secret query values masked.
        url: redact(redactUrl(url)),
        headers: headers.map(([n, v]) => [n, redact(maskHeader(n, v))]),
      },
      response: {
        status,
        statusText: redact(entry.response?.statusText ?? ''),
        headers: (entry.response?.headers ?? [])
          .filter((h) => typeof h.name === 'string' && typeof h.value === 'string')
          .map((h) => [h.name!, redact(maskHeader(h.name!, h.value!))]),
        body: redactText(entry.response?.content?.text ?? '', secrets, 16_384),
      },
    };
    const bearer = authorization.map((v) => /^bearer\s+(.+)$/i.exec(v)?.[1]).find(Boolean);
    reports.push(
      report(
        new URL(url),
        {
          primary: exchange,
          exchanges: [exchange],
          authorization,
          jwt: bearer ? decodeJwt(bearer) : undefined,
          issuerMetadata: undefined,
          jwks: undefined,
          origin: undefined,
          localDate: Date.now(),
        },
        secrets,
      ),
    );
  }
  return reports;
}
