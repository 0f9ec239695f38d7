/** Proving a finding's fix: its corrected request sent once, and an unsafe method carried out at most once. */
import { send } from './probes.ts';
import type { Context, Exchange, Ranked } from './types.ts';

/** Whether an exchange already sent `method` (an unsafe one) and the server took it (2xx). */
export function performedBy(exchanges: readonly Exchange[], method: string): boolean {
  return exchanges.some((e) => {
    const status = e.response?.status;
    return e.request.method === method && status !== undefined && status >= 200 && status < 300;
  });
}

const MAX_ATTEMPTS = 4;
export const ok = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;
export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * Proves the fixes that can be tried: each rule's corrected request is sent once (the same request
 * proposed twice is sent once) and the answer recorded on its finding. A remedy is built from the
 * request as given, so no credential the user did not give is ever sent.
 */
export async function proveFixes(
  context: Context,
  ranked: Ranked[],
  timeout: number,
  secrets: string[],
): Promise<void> {
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
