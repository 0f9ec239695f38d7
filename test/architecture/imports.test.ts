/**
 * The import rules of src/, read from the source itself: every `import … from '…'`, `export … from
 * '…'`, bare `import '…'` and type-level `import('…')`, type-only ones included (a type import
 * still ties one layer's declarations to another's).
 *
 * - src/http is the shared model: it imports nothing outside src/http, not even a package.
 * - State sits below the server: src/stores never imports src/server.
 * - The client runs in browsers and knows no server: src/client never imports src/server.
 * - The doctor uses the client only as a user would: through its public entry, src/client/index.ts.
 * - One folder per adapter (src/adapters/node, express, fastify, hono): an adapter folder imports no
 *   other adapter folder (the Hono adapter runs on Web runtimes, and none leans on another's entry);
 *   what they share lives in src/adapters/shared, which imports no adapter folder.
 * - No cycles: no file of src/ reaches itself through its imports, type-only ones included (a cycle
 *   is two files that can only be read, and moved, together).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

/** The module specifiers a TypeScript file names, in order of appearance. */
function specifiersOf(source: string): string[] {
  const found: Array<[number, string]> = [];
  const patterns = [
    // import x from '…', import type { … } from '…', export * from '…', export type { … } from '…',
    // over several lines: everything up to `from` that is no quote and no statement end.
    /^[ \t]*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"\n]+)['"]/gm,
    // import '…' (for its effects only)
    /^[ \t]*import\s*['"]([^'"\n]+)['"]/gm,
    // import('…'), as a type or a dynamic import
    /\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) found.push([match.index, match[1]!]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, specifier]) => specifier);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** One import: the importing file and what it names, as paths below src/ (`client/index.ts`), or the package. */
interface Edge {
  from: string;
  to: string;
  /** A package or a node: builtin, not a file of this repository. */
  external: boolean;
}

function edgesOf(file: string): Edge[] {
  const from = relative(SRC, file).split(sep).join('/');
  return specifiersOf(readFileSync(file, 'utf8')).map((specifier) => {
    if (!specifier.startsWith('.')) return { from, to: specifier, external: true };
    const to = posix.normalize(posix.join(posix.dirname(from), specifier));
    return { from, to, external: false };
  });
}

const within = (path: string, area: string) => path === area || path.startsWith(`${area}/`);
const ADAPTERS = ['node', 'express', 'fastify', 'hono'];
/** The adapter folder a path is in (`hono` for adapters/hono/protect.ts), `shared`, or undefined. */
const adapterFolder = (path: string) => [...ADAPTERS, 'shared'].find((folder) => within(path, `adapters/${folder}`));

/** Every import that breaks a rule, as `from -> to (rule)`. */
function violations(edges: readonly Edge[]): string[] {
  const broken: string[] = [];
  for (const { from, to, external } of edges) {
    const says = (rule: string) => broken.push(`${from} -> ${to} (${rule})`);
    if (within(from, 'http') && (external || !within(to, 'http'))) says('http imports only http');
    if (external) continue;
    if (within(from, 'stores') && within(to, 'server')) says('stores never import server');
    if (within(from, 'client') && within(to, 'server')) says('client never imports server');
    if (within(from, 'doctor') && within(to, 'client') && to !== 'client/index.ts')
      says('doctor uses only the client entry');
    const source = adapterFolder(from);
    const target = adapterFolder(to);
    if (source && target && target !== 'shared' && target !== source)
      says('an adapter folder imports no other adapter folder');
  }
  return broken;
}

/** The import cycles among files: each as the files on it, in import order, starting at the first by name. */
function cyclesOf(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to, external } of edges) if (!external) next.set(from, [...(next.get(from) ?? []), to]);
  const cycles = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const to of next.get(file) ?? []) {
      if (state.get(to) === 'open') {
        const cycle = path.slice(path.indexOf(to));
        const first = cycle.indexOf([...cycle].sort()[0]!);
        const rotated = [...cycle.slice(first), ...cycle.slice(0, first)];
        cycles.set(rotated.join(' -> '), rotated);
      } else if (!state.has(to)) visit(to);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of [...next.keys()].sort()) if (!state.has(file)) visit(file);
  return [...cycles.values()];
}

describe('import rules of src/', () => {
  it('reads every kind of import and re-export, over several lines and type-only', () => {
    const sample = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      'import {',
      '  c,',
      '  type D,',
      "} from './c.ts';",
      "export * from './e.ts';",
      "export type { F } from './f.ts';",
      "export { g } from 'node:g';",
      "import './h.ts';",
      "type I = import('./i.ts').I;",
      ' * @example import { no } from "a comment";',
      "const j = 'import k from nowhere';",
    ].join('\n');
    assert.deepEqual(specifiersOf(sample), [
      './a.ts',
      '../b.ts',
      './c.ts',
      './e.ts',
      './f.ts',
      'node:g',
      './h.ts',
      './i.ts',
    ]);
  });

  it('finds the imports of the tree (the scan is not empty)', () => {
    const edges = sourceFiles(SRC).flatMap(edgesOf);
    assert.ok(edges.length > 500, `only ${edges.length} imports found`);
    assert.ok(edges.some((edge) => edge.from === 'server/index.ts' && edge.to === 'http/index.ts'));
  });

  it('catches an import that breaks a rule', () => {
    assert.deepEqual(
      violations([
        { from: 'http/problem.ts', to: 'node:crypto', external: true },
        { from: 'http/problem.ts', to: 'client/redact.ts', external: false },
        { from: 'stores/memory.ts', to: 'server/lookups.ts', external: false },
        { from: 'client/retry.ts', to: 'server/guard.ts', external: false },
        { from: 'doctor/probes.ts', to: 'client/redact.ts', external: false },
        { from: 'doctor/probes.ts', to: 'client/index.ts', external: false },
        { from: 'adapters/hono/protect.ts', to: 'adapters/node/index.ts', external: false },
        { from: 'adapters/express/protect.ts', to: 'adapters/node/protect.ts', external: false },
        { from: 'adapters/shared/decision-action.ts', to: 'adapters/hono/variables.ts', external: false },
        { from: 'adapters/hono/protect.ts', to: 'adapters/shared/decision-action.ts', external: false },
        { from: 'adapters/node/index.ts', to: 'adapters/node/protect.ts', external: false },
        { from: 'server/guard.ts', to: 'stores/types.ts', external: false },
      ]),
      [
        'http/problem.ts -> node:crypto (http imports only http)',
        'http/problem.ts -> client/redact.ts (http imports only http)',
        'stores/memory.ts -> server/lookups.ts (stores never import server)',
        'client/retry.ts -> server/guard.ts (client never imports server)',
        'doctor/probes.ts -> client/redact.ts (doctor uses only the client entry)',
        'adapters/hono/protect.ts -> adapters/node/index.ts (an adapter folder imports no other adapter folder)',
        'adapters/express/protect.ts -> adapters/node/protect.ts (an adapter folder imports no other adapter folder)',
        'adapters/shared/decision-action.ts -> adapters/hono/variables.ts (an adapter folder imports no other adapter folder)',
      ],
    );
  });

  it('every import in src/ keeps the rules', () => {
    const edges = sourceFiles(SRC).flatMap(edgesOf);
    assert.deepEqual(violations(edges), []);
  });

  it('finds an import cycle, however long, type-only imports included', () => {
    const edge = (from: string, to: string): Edge => ({ from, to, external: false });
    assert.deepEqual(
      cyclesOf([
        edge('server/scheme.ts', 'server/permissions.ts'),
        edge('server/permissions.ts', 'server/refusal.ts'),
        edge('server/refusal.ts', 'server/scheme.ts'),
        edge('doctor/types.ts', 'doctor/probes.ts'),
        edge('doctor/probes.ts', 'doctor/types.ts'),
        edge('client/index.ts', 'client/retry.ts'),
        edge('client/retry.ts', 'http/index.ts'),
      ]),
      [
        ['doctor/probes.ts', 'doctor/types.ts'],
        ['server/permissions.ts', 'server/refusal.ts', 'server/scheme.ts'],
      ],
    );
  });

  it('no file of src/ imports itself back through others', () => {
    assert.deepEqual(cyclesOf(sourceFiles(SRC).flatMap(edgesOf)), []);
  });

  it('every file of src/adapters lives in an adapter folder or in shared (so the adapter rule sees it)', () => {
    const loose = sourceFiles(join(SRC, 'adapters'))
      .map((file) => relative(SRC, file).split(sep).join('/'))
      .filter((path) => adapterFolder(path) === undefined);
    assert.deepEqual(loose, []);
  });

  it('resolves every relative import to a file of src/ (the paths the rules judge are real)', () => {
    const files = new Set(sourceFiles(SRC).map((file) => relative(SRC, file).split(sep).join('/')));
    const missing = sourceFiles(SRC)
      .flatMap(edgesOf)
      .filter((edge) => !edge.external && edge.to.endsWith('.ts') && !files.has(edge.to))
      .map((edge) => `${edge.from} -> ${edge.to}`);
    assert.deepEqual(missing, []);
  });
});
