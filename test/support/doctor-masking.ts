/** One check that a doctor report shows no secret, in any of its formats and any common encoding. */
import assert from 'node:assert/strict';
import { renderMarkdown, renderTerminal } from '../../src/doctor/index.ts';
import type { Report } from '../../src/doctor/types.ts';

/** Each secret (or list of them), raw, base64, base64url and percent-encoded, in JSON, terminal and Markdown. */
export function assertMasked(report: Report, ...secrets: Array<string | string[]>): void {
  const outputs: Array<[string, string]> = [
    ['json', JSON.stringify(report)],
    ['terminal', renderTerminal(report)],
    ['markdown', renderMarkdown(report)],
  ];
  for (const secret of secrets.flat()) {
    const forms = new Set([
      secret,
      Buffer.from(secret).toString('base64'),
      Buffer.from(secret).toString('base64url'),
      encodeURIComponent(secret),
    ]);
    for (const [format, text] of outputs)
      for (const form of forms)
        assert.ok(!text.includes(form), `${format} output carries ${JSON.stringify(secret.slice(0, 6))}… in some form`);
  }
}
