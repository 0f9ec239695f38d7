/**
 * The package as a user receives it: built from src/, packed by `npm pack` with the files npm takes
 * from the repository's root (package.json, README, LICENSE: npm decides, from `files`), and
 * installed by `npm install` into an empty project, its dependencies from the npm cache or the
 * registry. The build goes to a staging folder, so the repository's own dist/ is never touched
 * while other tests run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

/** The package's manifest. */
export const MANIFEST = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  engines: { node: string };
  exports: Record<string, string | { types: string; default: string }>;
  scripts: Record<string, string>;
};

/**
 * The environment for npm and for what an installed package runs: this Node first on PATH (so
 * `#!/usr/bin/env node` finds it), and none of the `npm_*` settings of an npm that may have started
 * this test run (`npm test` hands its own down; they are not a user's).
 */
export function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!/^npm_/i.test(name)) env[name] = value;
  env['PATH'] = `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`;
  return env;
}

/** Runs npm in `cwd`; throws with npm's own words when it fails. */
function npm(args: string[], cwd: string): string {
  const result = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    env: userEnv(),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0)
    throw new Error(`npm ${args.join(' ')} exited ${result.status}: ${result.stderr}${result.error ?? ''}`);
  return result.stdout;
}

export interface PackedPackage {
  /** The .tgz, as `npm pack` wrote it. */
  tarball: string;
  /** Every path in it, relative to the package's folder (`dist/cli/main.js`, `LICENSE`). */
  files: string[];
}

/** What is never copied to the staging folder: a build (made afresh there), and what git does not track. */
const NOT_STAGED = new Set(['dist', '.git', '.cache', 'node_modules', 'coverage', '.work', '.scratch', '__pycache__']);

/**
 * Builds src/ with tsconfig.build.json into a staging folder beside a copy of the repository (its
 * files and folders: README, docs/, test/, bench/…), then packs it. Which of them ship is npm's
 * call, from the manifest's `files`, as when the root itself is packed.
 */
export function packPackage(): PackedPackage {
  const work = mkdtempSync(join(tmpdir(), 'gh-pack-'));
  const stage = join(work, 'package');
  mkdirSync(stage);
  cpSync(ROOT, stage, { recursive: true, filter: (source) => source === ROOT || !NOT_STAGED.has(basename(source)) });
  execFileSync(
    join(ROOT, 'node_modules/.bin/tsc'),
    ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(stage, 'dist')],
    { stdio: 'inherit' },
  );
  // The build is done: --ignore-scripts spares the manifest's prepack (the same build again).
  const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], stage)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  if (!packed) throw new Error('npm pack reported no tarball');
  return { tarball: join(work, packed.filename), files: packed.files.map((file) => file.path) };
}

/** Whether the npm registry answers (`npm ping`). */
export function registryAnswers(): boolean {
  return spawnSync('npm', ['ping', '--loglevel=error'], { env: userEnv(), timeout: 20_000 }).status === 0;
}

/**
 * An empty ES-module project with the tarball installed, as `npm install <tarball>` does it (its
 * dependencies from the npm cache when it holds them); `files` are written into the project first.
 */
export function installInEmptyProject(tarball: string, files: Record<string, string> = {}): string {
  const project = mkdtempSync(join(tmpdir(), 'gh-consumer-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(project, name), text);
  npm(['install', '--prefer-offline', tarball], project);
  return project;
}

/**
 * Why tests that need the registry skip here, or false when they run. They skip only locally and only
 * when the registry does not answer; with CI=true they always run, and fail if npm cannot install.
 */
export function registrySkip(what: string): string | false {
  if (process.env['CI'] === 'true' || registryAnswers()) return false;
  const reason = `${what} needs the npm registry, which does not answer here`;
  process.stderr.write(`\n!!! SKIPPED: ${reason}\n\n`);
  return reason;
}
