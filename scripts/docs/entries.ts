/**
 * The package's entries as the docs name them: the subpaths of package.json's `exports`, each
 * with the source file it is built from and the declaration file a consumer's compiler reads.
 * The API reference documents each; the docs' code blocks import them by these names.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

/** The name the package is installed by, as package.json gives it. */
export const PACKAGE_NAME: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).name;

export interface Entry {
  /** As imported: `gatehouse-http`, `gatehouse-http/client`, … */
  readonly specifier: string;
  /** `.`, `./client`, … as package.json's `exports` lists it. */
  readonly subpath: string;
  /** The entry's source, relative to the repository (`src/client/index.ts`). */
  readonly source: string;
  /** The declaration file, relative to the build's output folder (`client/index.d.ts`). */
  readonly declaration: string;
}

type Exports = Record<string, string | { types?: string }>;

export function entries(): Entry[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Exports };
  return Object.entries(manifest.exports).flatMap(([subpath, target]) => {
    const types = typeof target === 'string' ? undefined : target.types;
    if (!types?.startsWith('./dist/')) return []; // ./package.json
    const declaration = types.slice('./dist/'.length);
    return [
      {
        specifier: subpath === '.' ? PACKAGE_NAME : `${PACKAGE_NAME}/${subpath.slice(2)}`,
        subpath,
        source: `src/${declaration.replace(/\.d\.ts$/, '.ts')}`,
        declaration,
      },
    ];
  });
}
