/**
 * docs/api/: the API reference, from the TSDoc comments of what each entry declares. The
 * declarations are built into a temporary folder, API Extractor reads each entry's (with the
 * settings in api-extractor/api-extractor.json) and API Documenter writes the pages.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { type Entry, entries, PACKAGE_NAME, ROOT } from './entries.ts';
import { asTsdoc } from './tsdoc-dialect.ts';

const CONFIG = join(ROOT, 'api-extractor', 'api-extractor.json');

/**
 * API Documenter takes every entry for a package of its own, and a package name has no second
 * slash: `gatehouse-http/client/undici` is modelled as `@gatehouse-http/client-undici`, and the
 * pages are given the entry's own name back.
 */
function modelName(entry: Entry): string {
  return entry.subpath === '.' ? PACKAGE_NAME : `@${PACKAGE_NAME}/${slug(entry)}`;
}

/** `index` for the package root, `client-undici` for `./client/undici`. */
function slug(entry: Entry): string {
  return entry.subpath === '.' ? 'index' : entry.subpath.slice(2).replaceAll('/', '-');
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
}

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith(suffix))
    .map((name) => join(dir, name));
}

function buildDeclarations(dir: string): void {
  run(join(ROOT, 'node_modules', '.bin', 'tsc'), [
    '-p',
    join(ROOT, 'tsconfig.build.json'),
    '--emitDeclarationOnly',
    '--declarationMap',
    'false',
    '--outDir',
    dir,
  ]);
  const entryFiles = new Set(entries().map((entry) => join(dir, entry.declaration)));
  for (const file of filesUnder(dir, '.d.ts'))
    writeFileSync(file, asTsdoc(readFileSync(file, 'utf8'), { entry: entryFiles.has(file) }));
}

function extract(entry: Entry, declarations: string, model: string): void {
  const configObject = ExtractorConfig.loadFile(CONFIG);
  const main = join(declarations, entry.declaration);
  configObject.mainEntryPointFilePath = main;
  configObject.docModel = { enabled: true, apiJsonFilePath: join(model, `${slug(entry)}.api.json`) };
  // How to read the built declarations, and nothing else: they are the whole program.
  configObject.compiler = {
    overrideTsconfig: {
      compilerOptions: {
        target: 'es2023',
        lib: ['es2023', 'dom', 'dom.iterable'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        types: ['node'],
        strict: true,
        skipLibCheck: true,
      },
      files: [main],
    },
  };
  const config = ExtractorConfig.prepare({
    configObject,
    configObjectFullPath: CONFIG,
    packageJsonFullPath: join(ROOT, 'package.json'),
  });
  const result = Extractor.invoke(config, {
    localBuild: true,
    messageCallback: (message) => {
      if (message.logLevel !== 'error' && message.logLevel !== 'warning') message.handled = true;
    },
  });
  if (!result.succeeded) throw new Error(`API Extractor failed on ${entry.specifier} (${result.errorCount} errors)`);
}

/** Names each model after its entry (the manifest's name is in every canonical reference). */
function renameModels(model: string, manifestName: string): void {
  for (const entry of entries()) {
    const file = join(model, `${slug(entry)}.api.json`);
    const text = readFileSync(file, 'utf8');
    const name = modelName(entry);
    const json = JSON.parse(text.replaceAll(`"${manifestName}!`, `"${name}!`)) as { name: string };
    json.name = name;
    writeFileSync(file, JSON.stringify(json));
  }
}

/** The pages call each entry by its import name, not by its model's. */
function nameEntries(pages: string): void {
  const bySlug = new Map(entries().map((entry) => [slug(entry), entry.specifier]));
  for (const file of filesUnder(pages, '.md')) {
    const text = readFileSync(file, 'utf8')
      .replace(
        new RegExp(`@${PACKAGE_NAME}/([a-z0-9-]+)`, 'g'),
        (whole, modelled: string) => bySlug.get(modelled) ?? whole,
      )
      .replace(
        /^## ([a-z0-9-]+) package$/m,
        (_whole, modelled: string) => `## ${bySlug.get(modelled) ?? modelled} package`,
      );
    writeFileSync(file, text);
  }
}

export function writeApiReference(out: string): void {
  const work = mkdtempSync(join(tmpdir(), 'gatehouse-api-'));
  try {
    const declarations = join(work, 'declarations');
    const model = join(work, 'model');
    mkdirSync(model);
    buildDeclarations(declarations);
    for (const entry of entries()) extract(entry, declarations, model);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string };
    renameModels(model, manifest.name);
    rmSync(out, { recursive: true, force: true });
    run(process.execPath, [
      join(ROOT, 'node_modules', '@microsoft', 'api-documenter', 'bin', 'api-documenter'),
      'markdown',
      '-i',
      model,
      '-o',
      out,
    ]);
    nameEntries(out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
