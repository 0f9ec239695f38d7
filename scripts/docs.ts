/**
 * `npm run docs`: writes every generated page of docs/ — reasons.md (the reason catalogue),
 * doctor-findings.md (the doctor's rules), cli.md (the command's own help) and api/ (the API
 * reference, from the TSDoc comments of each entry's declarations).
 *
 * `npm run docs -- --check [pages|api]` writes nothing: it exits 1 naming each page that differs
 * from what would be written. test/architecture/docs-fresh.test.ts checks the pages in `npm test`;
 * the API reference, which takes a build and about 20 s, is checked by `npm run lint`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeApiReference } from './docs/api-reference.ts';
import { renderCliPage } from './docs/cli-page.ts';
import { renderFindingsPage } from './docs/doctor-findings-page.ts';
import { ROOT } from './docs/entries.ts';
import { renderReasonsPage } from './docs/reasons-page.ts';

const DOCS = join(ROOT, 'docs');
export const API_DOCS = join(DOCS, 'api');

/** Each generated page of docs/, by file name, as it should read now. */
export async function generatedPages(): Promise<Record<string, string>> {
  return {
    'reasons.md': renderReasonsPage(),
    'doctor-findings.md': renderFindingsPage(),
    'cli.md': await renderCliPage(),
  };
}

function filesOf(dir: string): Map<string, string> {
  const names = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.md'));
  return new Map(names.map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

/** The pages of docs/api/ that differ from a fresh generation (or are missing, or left over). */
export function staleApiPages(): string[] {
  const fresh = mkdtempSync(join(tmpdir(), 'gatehouse-api-docs-'));
  try {
    writeApiReference(join(fresh, 'api'));
    const want = filesOf(join(fresh, 'api'));
    const have = filesOf(API_DOCS);
    const names = new Set([...want.keys(), ...have.keys()]);
    return [...names].filter((name) => want.get(name) !== have.get(name)).sort();
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}

async function main(args: string[]): Promise<number> {
  const check = args.includes('--check');
  const parts = args.filter((arg) => arg !== '--check');
  const pages = parts.length === 0 || parts.includes('pages');
  const api = parts.length === 0 || parts.includes('api');
  const stale: string[] = [];
  if (pages)
    for (const [name, text] of Object.entries(await generatedPages())) {
      const path = join(DOCS, name);
      if (!check) writeFileSync(path, text);
      else if (readFileSync(path, 'utf8') !== text) stale.push(relative(ROOT, path));
    }
  if (api) {
    if (!check) writeApiReference(API_DOCS);
    else stale.push(...staleApiPages().map((name) => relative(ROOT, join(API_DOCS, name))));
  }
  if (!check) {
    process.stdout.write(`wrote the generated pages of ${relative(ROOT, DOCS)}/\n`);
    return 0;
  }
  for (const path of stale) process.stderr.write(`stale: ${path}\n`);
  if (stale.length > 0) process.stderr.write('run `npm run docs` and commit what it writes\n');
  return stale.length > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  process.exitCode = await main(process.argv.slice(2));
