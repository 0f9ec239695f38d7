/** docs/doctor-findings.md is generated from the rules: it lists every finding code, and is current. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { FINDINGS_DOC, renderFindingsDoc } from '../../scripts/doctor-findings.ts';
import { RULES } from '../../src/doctor/rules/all.ts';

it('docs/doctor-findings.md is what `npm run docs:doctor` writes from the rules', () => {
  assert.equal(
    readFileSync(FINDINGS_DOC, 'utf8'),
    renderFindingsDoc(),
    'stale: run `npm run docs:doctor` and commit docs/doctor-findings.md',
  );
});

it('every rule has its own code and a summary, and the README links the list', () => {
  const codes = RULES.map((r) => r.code);
  assert.equal(new Set(codes).size, codes.length, 'a code is used by two rules');
  for (const rule of RULES) {
    assert.match(rule.code, /^[a-z0-9_]+$/);
    assert.ok(rule.summary.length > 20 && rule.summary.endsWith('.'), `${rule.code}: a one-sentence summary`);
  }
  assert.match(readFileSync(new URL('../../README.md', import.meta.url), 'utf8'), /\(docs\/doctor-findings\.md\)/);
});
