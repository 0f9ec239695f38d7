/** The report for a person: verdict, evidence, fix; in a terminal or as Markdown for an issue tracker. */
import type { Report } from './types.ts';

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

function verdict(report: Report): string {
  if (report.outcome === 'unreachable') return `${report.url}: no response`;
  if (report.outcome === 'success') return `${report.url}: ${report.status}, it works`;
  const top = report.findings.find((f) => f.severity !== 'info');
  return `${report.url}: ${report.status}${top ? ` — ${top.title}` : ', and no known cause fits'}`;
}

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
  });
  if (report.outcome === 'failure' && report.findings.length === 0) {
    lines.push('');
    lines.push('No rule matched. Compare the exchanges below with the API documentation; --json shows them in full.');
  }
  lines.push('');
  lines.push(
    paint.dim(
      `${report.exchanges.length} exchange${report.exchanges.length === 1 ? '' : 's'}: ${report.exchanges.map((e) => `${e.probe} ${e.response?.status ?? 'no response'}`).join(', ')}`,
    ),
  );
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
  }
  if (report.findings.length === 0)
    lines.push(report.outcome === 'success' ? 'No problem found.' : 'No known cause matched.');
  lines.push('', '<details><summary>Exchanges (secrets masked)</summary>', '', '```text');
  for (const exchange of report.exchanges) {
    lines.push(`> ${exchange.request.method} ${exchange.request.url}  (${exchange.probe})`);
    for (const [name, value] of exchange.request.headers) lines.push(`> ${name}: ${value}`);
    if (exchange.response) {
      lines.push(`< ${exchange.response.status} ${exchange.response.statusText}`);
      for (const [name, value] of exchange.response.headers) lines.push(`< ${name}: ${value}`);
    } else lines.push(`< (no response: ${exchange.error})`);
    lines.push('');
  }
  lines.push('```', '</details>');
  return lines.join('\n');
}
