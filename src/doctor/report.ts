/** From exchanges to a report: the context the rules read, the rules run and ranked, the verdict and exit code. */
import { parseChallenges, parseHttpDate, parseProblem, redactUrl, secretRedactor } from '../http/index.ts';
import { header } from './probes.ts';
import { ok, SAFE_METHODS } from './prove.ts';
import { signInPage } from './readings/redirect-hops.ts';
import { RULES } from './rules/all.ts';
import type { Context, Finding, Ranked, Report } from './types.ts';

export const SEVERITY = { error: 0, warning: 1, info: 2 } as const;

type ContextParts = Pick<
  Context,
  'primary' | 'exchanges' | 'authorization' | 'jwt' | 'issuerMetadata' | 'jwks' | 'origin' | 'localDate'
> &
  Partial<
    Pick<
      Context,
      | 'request'
      | 'verification'
      | 'resourceMetadata'
      | 'apiDescription'
      | 'foreignResourceMetadata'
      | 'authorizationServers'
      | 'body'
      | 'oauthFlow'
      | 'dpop'
    >
  >;

/** Builds the context from recorded exchanges and runs every rule (also used for HAR files). */
export function report(url: URL, parts: ContextParts, secrets: readonly string[] = []): Report {
  const context = buildContext(url, parts);
  return toReport(context, runRules(context), secrets);
}

export function buildContext(url: URL, parts: ContextParts): Context {
  const response = parts.primary.response;
  return {
    ...parts,
    url,
    challenges: parseChallenges(
      response?.headers.filter(([n]) => n.toLowerCase() === 'www-authenticate').map(([, v]) => v) ?? [],
    ),
    problem:
      response && /json/i.test(header(response.headers, 'content-type') ?? '')
        ? parseProblem(response.body)
        : undefined,
    serverDate: parseHttpDate(header(response?.headers, 'date')),
  };
}

/** Every rule's finding, most likely cause first: errors before warnings before notes, then by rank. */
export function runRules(context: Context): Ranked[] {
  const ranked: Ranked[] = [];
  for (const rule of RULES) {
    const finding = rule.check(context);
    if (finding) ranked.push({ rule, finding });
  }
  return ranked.sort(
    (a, b) => SEVERITY[a.finding.severity] - SEVERITY[b.finding.severity] || a.rule.rank - b.rule.rank,
  );
}

/**
 * A finding's words, with every form of every secret cut out: rules quote what they read, and what
 * they read may be a credential in a shape no rule foresaw (`Authorization: TOKEN` parses as a
 * scheme named TOKEN). The exchanges are masked where they are recorded; this is the last gate.
 */
export function scrubbed(finding: Finding, redact: (text: string) => string): Finding {
  const tried = finding.tried;
  return {
    ...finding,
    title: redact(finding.title),
    evidence: finding.evidence.map(redact),
    fix: redact(finding.fix),
    ...(tried
      ? {
          tried: {
            ...tried,
            change: redact(tried.change),
            ...(tried.error !== undefined ? { error: redact(tried.error) } : {}),
          },
        }
      : {}),
  };
}

export function toReport(context: Context, ranked: Ranked[], secrets: readonly string[]): Report {
  const redact = secretRedactor(secrets);
  const response = context.primary.response;
  // A redirect the probes followed: the answer that counts is the one at the end of it.
  const hops = context.exchanges.filter((e) => e.probe === 'redirect');
  const end = response && response.status >= 300 && response.status < 400 ? hops.at(-1) : undefined;
  const final = end?.response;
  // A 2xx counts only where the request was answered: on the origin it was sent to (another
  // origin answered without the user's credentials) and not on a sign-in page (a login form).
  const start = new URL(context.primary.request.url);
  const answered =
    end !== undefined &&
    new URL(end.request.url).origin === start.origin &&
    !signInPage(new URL(end.request.url), start);
  const outcome = !response
    ? 'unreachable'
    : ok(response.status) || (answered && ok(final?.status))
      ? 'success'
      : 'failure';
  const method = context.primary.request.method;
  const performed = SAFE_METHODS.has(method)
    ? []
    : context.exchanges
        // The request as given is the user's own; at depth 1 the primary ('final-url') is the
        // doctor's re-send of it, and counts as any other request of the doctor's.
        .filter(
          (e) =>
            (e !== context.primary || e.probe === 'final-url') && e.request.method === method && ok(e.response?.status),
        )
        .map((e) => `${e.probe} ${e.response!.status}`);
  return {
    url: redactUrl(context.url),
    outcome,
    ...(response ? { status: response.status } : {}),
    ...(final ? { finalStatus: final.status } : {}),
    ...(performed.length ? { performed } : {}),
    findings: ranked.map(({ finding }) => scrubbed(finding, redact)),
    exchanges: context.exchanges,
  };
}

/**
 * Exit codes: 0 it works, 1 a cause was named (also for an answer that works but with a problem
 * named as an error, such as a refused CORS preflight), 2 it fails and no cause fits, or no answer came
 * and none explains why (a request that could not even be sent for a newline in its token has one).
 */
export function exitCode(report: Report): 0 | 1 | 2 {
  if (report.outcome === 'success') return report.findings.some((f) => f.severity === 'error') ? 1 : 0;
  if (report.outcome === 'unreachable') return report.findings.some((f) => f.severity === 'error') ? 1 : 2;
  return report.findings.some((f) => f.severity !== 'info') ? 1 : 2;
}
