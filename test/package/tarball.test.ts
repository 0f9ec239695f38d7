/**
 * The package a user installs: `npm pack`, then `npm install` of the tarball into an empty project,
 * then its command through `npx gatehouse-http` and its entries from a plain .mjs file, as the
 * README tells a newcomer. And what the tarball holds: the licence, the docs the README links to,
 * no source map that points at a file it does not ship, and nothing a user does not run or read
 * (tests, benchmarks, sources).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  installInEmptyProject,
  MANIFEST,
  type PackedPackage,
  packPackage,
  registrySkip,
  userEnv,
} from '../support/packed-package.ts';

/** An unsigned JWT for alice that expires in 2100: `token inspect` decodes it without a key. */
const JWT = [
  { alg: 'HS256', typ: 'JWT' },
  { sub: 'alice', exp: 4_102_444_800 },
]
  .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
  .concat('c2lnbmF0dXJl')
  .join('.');

/**
 * A consumer's script: the client calls through a guard from the server entry, in process (the
 * guard is the client's transport), once with alice's password and once without.
 */
const CONSUMER = `
import { basic, createClient, UnauthorizedError } from 'gatehouse-http/client';
import { basicScheme, createGuard, hashPassword, memoryUsers } from 'gatehouse-http/server';

const users = memoryUsers([{ id: 'u1', username: 'alice', passwordHash: await hashPassword('correct horse battery') }]);
const guard = createGuard({ realm: 'consumer', schemes: [basicScheme({ users })] });
const serve = async (input, init) => {
  const decision = await guard.authenticate(new Request(input, init));
  return decision.outcome === 'authenticated' ? Response.json({ id: decision.principal.id }) : guard.refusalResponse(decision.refusal);
};
const alice = createClient({ baseUrl: 'http://api.test/', auth: basic('alice', 'correct horse battery'), fetch: serve });
const anonymous = createClient({ baseUrl: 'http://api.test/', fetch: serve, retry: { limit: 0 } });
const refused = await anonymous.get('me').catch((error) => error);
console.log(JSON.stringify({
  alice: await (await alice.get('me')).json(),
  anonymous: refused instanceof UnauthorizedError ? refused.status : String(refused),
}));
`;

/**
 * Preloaded with --import: says at exit whether node:sqlite was loaded (`process.moduleLoadList`
 * names every builtin loaded; Node 22 warns when node:sqlite loads, Node 24 no longer does).
 */
const SQLITE_WITNESS = `process.on('exit', () => process.stderr.write(
  'node:sqlite loaded: ' + process.moduleLoadList.includes('NativeModule sqlite') + '\\n'));`;

/** What importing each entry does in a project with none of the optional peers installed. */
const ENTRY_LOADS: Record<string, 'loads' | 'loads node:sqlite' | `needs ${string}`> = {
  'gatehouse-http': 'loads',
  'gatehouse-http/client': 'loads',
  'gatehouse-http/server': 'loads',
  'gatehouse-http/client/file-store': 'loads',
  'gatehouse-http/client/redis-store': 'loads',
  'gatehouse-http/client/loopback-login': 'loads',
  'gatehouse-http/client/undici': 'needs undici',
  'gatehouse-http/node': 'loads',
  'gatehouse-http/express': 'loads',
  'gatehouse-http/fastify': 'loads',
  'gatehouse-http/hono': 'loads',
  'gatehouse-http/stores/sqlite': 'loads node:sqlite',
  'gatehouse-http/stores/postgres': 'needs pg',
  'gatehouse-http/stores/redis': 'loads',
  'gatehouse-http/doctor': 'loads',
};

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, env: userEnv(), encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every `sourceMappingURL` and every map's `sources` that name a file the package does not hold. */
function danglingMaps(root: string, files: readonly string[]): string[] {
  const shipped = new Set(files);
  const dangling: string[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    if (file.endsWith('.map')) {
      const map = JSON.parse(text) as { sourceRoot?: string; sources: string[] };
      for (const source of map.sources) {
        const target = normalize(join(dirname(file), map.sourceRoot ?? '', source));
        if (!shipped.has(target)) dangling.push(`${file} → ${target}`);
      }
    }
    for (const [, url] of text.matchAll(/[#@] sourceMappingURL=(\S+)/g)) {
      if (url?.startsWith('data:')) continue;
      const target = normalize(join(dirname(file), url ?? ''));
      if (!shipped.has(target)) dangling.push(`${file} → ${target}`);
    }
  }
  return dangling;
}

/**
 * The relative links of a Markdown text (`[text](target)` and `[text]: target`), without their
 * #fragment, outside code (fenced blocks and `spans`), where `[a](b)` may be code, not a link.
 */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
  const targets = [
    ...[...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(([, target]) => target ?? ''),
    ...[...prose.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map(([, target]) => target ?? ''),
  ];
  return targets
    .filter((target) => !/^([a-z][a-z0-9+.-]*:|#|\/\/)/i.test(target))
    .map((target) => decodeURIComponent(target.replace(/[#?].*$/, '')));
}

/** Each relative link of the package's Markdown files that names no file the package holds. */
function danglingLinks(root: string, files: readonly string[]): string[] {
  const shipped = new Set(files);
  return files
    .filter((file) => file.endsWith('.md'))
    .flatMap((file) =>
      relativeLinks(readFileSync(join(root, file), 'utf8'))
        .map((target) => ({ target, resolved: normalize(join(dirname(file), target)) }))
        .filter(({ resolved }) => !shipped.has(resolved))
        .map(({ target, resolved }) => `${file} → ${target} (${resolved})`),
    );
}

let packedOnce: PackedPackage | undefined;
const packed = () => (packedOnce ??= packPackage());
after(() => {
  if (packedOnce) rmSync(dirname(packedOnce.tarball), { recursive: true, force: true });
});

describe('what the tarball holds', () => {
  let unpacked: string;
  before(() => {
    unpacked = mkdtempSync(join(tmpdir(), 'gh-unpacked-'));
    const untar = spawnSync('tar', ['-xzf', packed().tarball, '-C', unpacked], { encoding: 'utf8' });
    assert.equal(untar.status, 0, untar.stderr);
    unpacked = join(unpacked, 'package');
  });
  after(() => rmSync(dirname(unpacked), { recursive: true, force: true }));

  it('is named gatehouse-http, with the command gatehouse (the name gatehouse on npm is another package)', () => {
    const manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
    assert.equal(manifest.name, 'gatehouse-http');
    assert.deepEqual(manifest.bin, { gatehouse: './dist/cli/main.js' });
  });

  it('ships the MIT licence the manifest names', () => {
    assert.ok(packed().files.includes('LICENSE'), `LICENSE is missing from ${packed().files.length} files`);
    const licence = readFileSync(join(unpacked, 'LICENSE'), 'utf8');
    assert.equal(MANIFEST.license, 'MIT');
    assert.match(licence, /^MIT License\n\nCopyright \(c\) 2026 Gatehouse contributors\n/);
    assert.match(licence, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
  });

  it('holds no source map that points at a file it does not ship', () => {
    assert.deepEqual(danglingMaps(unpacked, packed().files), []);
  });

  it('ships the docs the README links to: every relative link of its Markdown names a file it holds', () => {
    assert.ok(packed().files.includes('README.md'));
    assert.ok(packed().files.includes('docs/client.md'), 'docs/client.md is missing');
    assert.ok(
      relativeLinks(readFileSync(join(unpacked, 'README.md'), 'utf8')).length >= 10,
      'the README links the docs',
    );
    assert.deepEqual(danglingLinks(unpacked, packed().files), []);
  });

  it('ships nothing a user neither runs nor reads: no tests, benchmarks, sources or scripts', () => {
    const extra = packed().files.filter(
      (file) =>
        !/^(dist\/.*\.(js|d\.ts)|docs\/.*\.md|[A-Z]+\.md|LICENSE|package\.json)$/.test(file) ||
        /\.test\.|(^|\/)(test|bench|fixtures)\//.test(file),
    );
    assert.deepEqual(extra, []);
  });

  it('holds every file an export or the command names', () => {
    const named = Object.values(MANIFEST.exports).flatMap((target) =>
      typeof target === 'string' ? [target] : [target.types, target.default],
    );
    const missing = [...named, './dist/cli/main.js'].filter((path) => !existsSync(join(unpacked, path)));
    assert.deepEqual(missing, []);
  });

  it('is built before it is packed: `npm pack` and `npm publish` from a clone run the build first', () => {
    assert.match(MANIFEST.scripts['prepack'] ?? '', /^npm run build\b/);
  });
});

describe('the tarball installed into an empty project', { skip: registrySkip('installing the tarball') }, () => {
  let project: string;
  before(() => {
    project = installInEmptyProject(packed().tarball, {
      'consumer.mjs': CONSUMER,
      'sqlite-witness.mjs': SQLITE_WITNESS,
      'load.mjs': 'await import(process.argv[2]);',
    });
  });
  after(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('npx gatehouse-http --version prints the version', () => {
    const { code, stdout, stderr } = run('npx', ['gatehouse-http', '--version'], project);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, `${MANIFEST.version}\n`);
  });

  it('npx gatehouse-http token inspect decodes a JWT and exits 0 when nothing is wrong with it', () => {
    const { code, stdout, stderr } = run('npx', ['gatehouse-http', 'token', 'inspect', JWT], project);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /"sub": "alice"/);
    assert.match(stdout, /2100-01-01T00:00:00Z/);
    assert.equal(stderr, '');
  });

  it('installs the command as gatehouse', () => {
    const { code, stdout, stderr } = run('npx', ['--no-install', 'gatehouse', '--version'], project);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, `${MANIFEST.version}\n`);
  });

  it('gatehouse-http/client and gatehouse-http/server import from an .mjs file and work together', () => {
    const { code, stdout, stderr } = run(process.execPath, ['consumer.mjs'], project);
    assert.equal(code, 0, stderr);
    assert.deepEqual(JSON.parse(stdout), { alice: { id: 'u1' }, anonymous: 401 });
  });

  it('loads node:sqlite only for gatehouse-http/stores/sqlite, and each peer only for its entry', () => {
    assert.deepEqual(
      Object.keys(ENTRY_LOADS).sort(),
      Object.keys(MANIFEST.exports)
        .filter((key) => key !== './package.json')
        .map((key) => `gatehouse-http${key.slice(1)}`)
        .sort(),
    );
    for (const [entry, expected] of Object.entries(ENTRY_LOADS)) {
      const { code, stderr } = run(
        process.execPath,
        ['--trace-warnings', '--import', './sqlite-witness.mjs', 'load.mjs', entry],
        project,
      );
      const missing = /Cannot find package '([^']+)'/.exec(stderr)?.[1];
      const found = missing
        ? `needs ${missing}`
        : code === 0 && stderr.includes('node:sqlite loaded: true')
          ? 'loads node:sqlite'
          : code === 0
            ? 'loads'
            : stderr;
      assert.equal(found, expected, entry);
      assert.doesNotMatch(stderr, /ExperimentalWarning/, entry);
    }
  });

  it('says to npm install pg or ioredis when a store or Redis URL needs the one the project lacks: one line, exit 69', () => {
    const cases = [
      { args: ['users', 'add', 'bob', '--store', 'postgres://127.0.0.1:5432/test'], peer: 'pg' },
      { args: ['serve', '--port', '0', '--redis', 'redis://127.0.0.1:6379'], peer: 'ioredis' },
    ];
    for (const { args, peer } of cases) {
      const result = spawnSync(join(project, 'node_modules/.bin/gatehouse'), args, {
        cwd: project,
        env: userEnv(),
        input: 'correct horse battery staple\n',
        encoding: 'utf8',
        timeout: 60_000,
      });
      const command = `gatehouse ${args.slice(0, args[0] === 'users' ? 2 : 1).join(' ')}`;
      assert.match(result.stderr, new RegExp(`^${command}: [^\n]*\\bnpm install ${peer}\\b[^\n]*\n$`), args.join(' '));
      assert.equal(result.status, 69, result.stderr);
    }
  });

  it('runs --version and token inspect without loading node:sqlite', () => {
    for (const args of [['--version'], ['token', 'inspect', JWT]]) {
      const { code, stderr } = run(
        process.execPath,
        ['--trace-warnings', '--import', './sqlite-witness.mjs', 'node_modules/.bin/gatehouse', ...args],
        project,
      );
      assert.equal(code, 0, stderr);
      assert.equal(stderr, 'node:sqlite loaded: false\n', args.join(' '));
    }
  });
});
