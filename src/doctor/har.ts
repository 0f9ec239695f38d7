/**
 * Diagnosing a HAR file exported from browser devtools: every 401 and 403 in it is diagnosed
 * from the recorded exchange, and every code redemption a token endpoint refused (400) against the
 * flow the file holds; nothing is sent unless asked (replay), and a code redemption never (a code
 * is good once, RFC 6749 §4.1.2: sending it again would revoke what it issued). An entry that cannot be
 * read or replayed is skipped with a note naming it; the rest are reported.
 */
import { INVALID_ARGUMENT } from '../http/argument-error.ts';
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
import { type HarExchange, readHarEntry } from './har-entry.ts';
import { readHarEntries } from './har-file.ts';
import { flowBefore, flowSecrets, readFlow } from './har-flow.ts';
import { dpopOf, replayedProofs } from './readings/dpop.ts';
import { bodySecrets } from './request-secrets.ts';
import type { Exchange, OAuthFlow, Report } from './types.ts';

export { HarError, MAX_HAR_BYTES } from './har-file.ts';

/** An entry of the file that was not diagnosed, and why. */
export interface HarSkip {
  /** Its index in `log.entries`, from 0. */
  index: number;
  /** Its method and URL, secrets masked (`?` for what it lacks). */
  request: string;
  reason: string;
  /** The note in one line: `log.entries[3] (GET https://…) skipped: request.url is not a URL`. */
  message: string;
}

export interface DiagnoseHarOptions {
  /** Send each request again and diagnose the live answers instead of the recorded ones. @default false */
  replay?: boolean;
  /** Each replayed request's limit (ms). */
  timeoutMs?: number;
  /** Told of each entry skipped; the other entries are reported all the same. */
  onSkip?: (skip: HarSkip) => void;
}

export async function diagnoseHar(path: string, options: DiagnoseHarOptions = {}): Promise<Report[]> {
  const entries = await readHarEntries(path);
  const flow = readFlow(entries);
  const replays = replayedProofs(entries);
  const reports: Report[] = [];
  const skip = (index: number, request: string, reason: string) =>
    options.onSkip?.({ index, request, reason, message: `log.entries[${index}] (${request}) skipped: ${reason}` });
  for (const [index, raw] of entries.entries()) {
    const reading = readHarEntry(raw);
    if (reading.kind === 'other-status') continue;
    if (reading.kind === 'unreadable') {
      skip(index, reading.request, reading.reason);
      continue;
    }
    const { exchange } = reading;
    if (!options.replay || exchange.requestBody !== undefined) {
      const before = exchange.requestBody !== undefined ? flowBefore(flow, index) : undefined;
      reports.push(recorded(exchange, before, replays.get(index)));
      continue;
    }
    const replayed = await replay(exchange, options.timeoutMs);
    if ('reason' in replayed) skip(index, `${exchange.method} ${redactUrl(exchange.url)}`, replayed.reason);
    else reports.push(replayed.report);
  }
  return reports;
}

/** The exchange sent again; a request diagnose() cannot send (a wss: URL, a header Node refuses) is a reason to skip. */
async function replay(
  exchange: HarExchange,
  timeoutMs: number | undefined,
): Promise<{ report: Report } | { reason: string }> {
  const protocol = new URL(exchange.url).protocol;
  if (protocol !== 'http:' && protocol !== 'https:') return { reason: 'only http and https URLs can be replayed' };
  try {
    return {
      report: await diagnose({
        url: exchange.url,
        method: exchange.method,
        headers: exchange.requestHeaders,
        ...(timeoutMs ? { timeoutMs } : {}),
      }),
    };
  } catch (error) {
    if ((error as { code?: unknown }).code !== INVALID_ARGUMENT) throw error;
    return { reason: (error as Error).message.replace(/^diagnose: /, '') };
  }
}

/**
 * The report of the exchange as recorded (with the flow before it, for a code redemption; the entry
 * whose DPoP proof it sent again), every secret it carries scrubbed.
 */
function recorded(har: HarExchange, flow?: OAuthFlow, replayOf?: number): Report {
  const headers = har.requestHeaders;
  const authorization = headers.filter(([n]) => n.toLowerCase() === 'authorization').map(([, v]) => v);
  const secrets = [
    ...headers.filter(([n]) => isSecretHeader(n)).flatMap(([n, v]) => headerSecrets(n, v)),
    ...urlSecrets(har.url),
    ...bodySecrets(har.requestBody),
    ...(flow ? flowSecrets(flow) : []),
  ];
  const redact = secretRedactor(secrets);
  const exchange: Exchange = {
    probe: 'har',
    request: {
      method: har.method,
      // The recorded URL as a report shows any: no userinfo, secret query values masked.
      url: redact(redactUrl(har.url)),
      headers: headers.map(([n, v]) => [n, redact(maskHeader(n, v))]),
    },
    response: {
      status: har.status,
      statusText: redact(har.statusText),
      headers: har.responseHeaders.map(([n, v]) => [n, redact(maskHeader(n, v))]),
      body: redactText(har.body, secrets, 16_384),
    },
  };
  const bearer = authorization.map((v) => /^bearer\s+(.+)$/i.exec(v)?.[1]).find(Boolean);
  return report(
    new URL(har.url),
    {
      primary: exchange,
      exchanges: [exchange],
      authorization,
      ...dpopOf(headers, replayOf),
      jwt: bearer ? decodeJwt(bearer) : undefined,
      issuerMetadata: undefined,
      jwks: undefined,
      origin: undefined,
      localDate: Date.now(),
      ...(har.requestBody !== undefined ? { body: har.requestBody } : {}),
      ...(flow ? { oauthFlow: flow } : {}),
    },
    secrets,
  );
}
