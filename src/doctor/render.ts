/** The report for a person: verdict, evidence, fix; in a terminal or as Markdown for an issue tracker. */
import type { Exchange, Finding, Report } from './types.ts';

interface Paint {
  bold(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  dim(s: string): string;
  cyan(s: string): string;
}

const plain: Paint = {
  bold: (s) => s,
  red: (s) => s,
  yellow: (s) => s,
  green: (s) => s,
  dim: (s) => s,
  cyan: (s) => s,
};

/** The first line: it never contradicts a finding (a 200 with a refused preflight is not "it works"). */
export function verdict(report: Report): string {
  const error = report.findings.find((f) => f.severity === 'error');
  if (report.outcome === 'unreachable') return `${report.url}: no response${error ? ` — ${error.title}` : ''}`;
  const status = report.finalStatus !== undefined ? `${report.status} → ${report.finalStatus}` : `${report.status}`;
  const top = report.findings.find((f) => f.severity === 'error') ?? report.findings.find((f) => f.severity !== 'info');
  if (report.outcome === 'success') {
    if (error) return `${report.url}: ${status}, but ${lowerFirst(error.title)}`;
    return `${report.url}: ${status}, it works${report.finalStatus !== undefined ? ' after a redirect' : ''}`;
  }
  return `${report.url}: ${status}${top ? ` — ${top.title}` : ', and no known cause fits'}`;
}

const lowerFirst = (s: string) => (/^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s);

/** What came of trying the fix, in one line. */
export function triedLine(finding: Finding, before?: number): string | undefined {
  const tried = finding.tried;
  if (!tried) return undefined;
  if (tried.verified) return `verified: with this change (${tried.change}) the server answers ${tried.status}`;
  if (tried.status === undefined) return `tried (${tried.change}): no answer (${tried.error ?? 'no response'})`;
  // "still" only when the answer is the one the request as given got: a 301 that became a 403 is news.
  return `tried (${tried.change}): ${tried.status === before ? 'still' : 'the server answers'} ${tried.status}`;
}

/** An exchange as lines (`> ` sent, `< ` received), secrets already masked by the probes. */
export function exchangeLines(exchange: Exchange, bodyChars = 0): string[] {
  const lines = [`> ${exchange.request.method} ${exchange.request.url}  (${exchange.probe})`];
  for (const [name, value] of exchange.request.headers) lines.push(`> ${name}: ${value}`);
  if (!exchange.response) {
    lines.push(`< (no response: ${exchange.error})`);
    return lines;
  }
  lines.push(`< ${exchange.response.status} ${exchange.response.statusText}`.trimEnd());
  for (const [name, value] of exchange.response.headers) lines.push(`< ${name}: ${value}`);
  const body = exchange.response.body.replace(/\s+/g, ' ').trim();
  if (bodyChars > 0 && body) lines.push(`< ${body.length > bodyChars ? `${body.slice(0, bodyChars)}…` : body}`);
  return lines;
}

/** Which of the doctor's own requests carried out an unsafe method, so nobody is surprised by a second order. */
export function performedLine(report: Report): string | undefined {
  if (!report.performed?.length) return undefined;
  const method = report.exchanges[0]?.request.method ?? 'request';
  return `The server carried out the ${method} for the doctor's own request${report.performed.length > 1 ? 's' : ''} too: ${report.performed.join(', ')}.`;
}

const probesLine = (report: Report) =>
  `${report.exchanges.length} exchange${report.exchanges.length === 1 ? '' : 's'}: ${report.exchanges.map((e) => `${e.probe} ${e.response?.status ?? 'no response'}`).join(', ')}`;

export function renderTerminal(report: Report, paint: Paint = plain): string {
  const lines: string[] = [];
  const head = verdict(report);
  lines.push(paint.bold(report.outcome === 'success' ? paint.green(head) : paint.red(head)));
  if (report.outcome === 'unreachable') {
    const error = report.exchanges[0]?.error;
    if (error) lines.push(`  ${error}`);
  }
  report.findings.forEach((finding, i) => {
    const mark =
      finding.severity === 'error'
        ? paint.red('✘')
        : finding.severity === 'warning'
          ? paint.yellow('!')
          : paint.cyan('i');
    lines.push('');
    lines.push(
      `${mark} ${paint.bold(finding.title)} ${paint.dim(`[${finding.code}]`)}${i === 0 && finding.severity === 'error' ? paint.dim('  most likely cause') : ''}`,
    );
    for (const line of finding.evidence) lines.push(`    ${paint.dim(line)}`);
    lines.push(`  → ${finding.fix}`);
    const tried = triedLine(finding, report.finalStatus ?? report.status);
    if (tried) lines.push(`  ${finding.tried?.verified ? paint.green(`✔ ${tried}`) : paint.yellow(`✘ ${tried}`)}`);
  });
  const performed = performedLine(report);
  if (performed) lines.push('', paint.yellow(`! ${performed}`));
  if (report.outcome === 'failure' && !report.findings.some((f) => f.severity !== 'info')) {
    // No rule fits: show what was sent and answered, so the reader can compare for themselves.
    lines.push('');
    lines.push('No rule matched. What was tried, and what came back (secrets masked):');
    for (const exchange of report.exchanges) {
      lines.push('');
      for (const line of exchangeLines(exchange, 300)) lines.push(`  ${paint.dim(line)}`);
    }
  }
  lines.push('');
  lines.push(paint.dim(probesLine(report)));
  return lines.join('\n');
}

export function renderMarkdown(report: Report): string {
  const lines = [`### Gatehouse doctor: ${verdict(report)}`, ''];
  for (const finding of report.findings) {
    lines.push(`- **${finding.title}** (\`${finding.code}\`, ${finding.severity})`);
    lines.push('  ```text');
    for (const line of finding.evidence) lines.push(`  ${line}`);
    lines.push('  ```');
    lines.push(`  Fix: ${finding.fix}`);
    const tried = triedLine(finding, report.finalStatus ?? report.status);
    if (tried) lines.push(`  ${finding.tried?.verified ? '✔' : '✘'} ${tried[0]!.toUpperCase()}${tried.slice(1)}`);
  }
  if (report.findings.length === 0)
    lines.push(report.outcome === 'success' ? 'No problem found.' : 'No known cause matched.');
  const performed = performedLine(report);
  if (performed) lines.push('', `> **Note:** ${performed}`);
  const open = report.outcome === 'failure' && !report.findings.some((f) => f.severity !== 'info');
  lines.push('', `<details${open ? ' open' : ''}><summary>Exchanges (secrets masked)</summary>`, '', '```text');
  for (const exchange of report.exchanges) lines.push(...exchangeLines(exchange, open ? 300 : 0), '');
  lines.push('```', '</details>');
  return lines.join('\n');
}
