/** The README's reason table is the catalogue, row for row: a code added to reasons.ts without a row fails here. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { reasonCodes, reasons } from '../../src/http/index.ts';

const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');

/** Each code the table lists, with the status its row gives it (a row may list several codes and statuses `400 / 409`). */
function tableRows(): Array<{ code: string; status: number }> {
  const start = readme.indexOf('### Why a request was refused');
  assert.ok(start >= 0, 'the README has the reason catalogue section');
  const section = readme.slice(start, readme.indexOf('\n#', start + 1));
  const rows: Array<{ code: string; status: number }> = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const [codesCell = '', statusCell = ''] = line.split('|').slice(1);
    const codes = [...codesCell.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!);
    const statuses = statusCell.split('/').map((s) => Number.parseInt(s.trim(), 10));
    codes.forEach((code, i) => {
      rows.push({ code, status: statuses[statuses.length === 1 ? 0 : i]! });
    });
  }
  return rows;
}

describe("the README's reason table", () => {
  it('lists every code of the catalogue exactly once, and no other', () => {
    const listed = tableRows().map((row) => row.code);
    assert.deepEqual([...listed].sort(), [...reasonCodes].sort());
  });

  it('gives each code the status the catalogue maps it to', () => {
    for (const { code, status } of tableRows())
      assert.equal(status, reasons[code as keyof typeof reasons]?.status, `README row for ${code}`);
  });
});
