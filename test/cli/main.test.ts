/**
 * The `gatehouse` executable before the CLI proper: on a Node older than package.json's engines
 * range it says, in one line, which version it needs and which it found, and exits non-zero
 * (instead of dying with ERR_UNKNOWN_BUILTIN_MODULE); from a clone, `npm run gatehouse -- …`
 * runs it without a build.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MANIFEST, ROOT, userEnv } from '../support/packed-package.ts';

/** `>=22.13` → `22.13`: the version the refusal must name. */
const NEEDED = /^>=(\d+\.\d+)$/.exec(MANIFEST.engines.node)?.[1];

/** An unsigned JWT for alice that expires in 2100. */
const JWT = [{ alg: 'HS256' }, { sub: 'alice', exp: 4_102_444_800 }]
  .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
  .concat('c2lnbmF0dXJl')
  .join('.');

/** Whether `version` (`20.20.2`) is below `needed` (`22.13`). */
function older(version: string, needed: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [neededMajor = 0, neededMinor = 0] = needed.split('.').map(Number);
  return major < neededMajor || (major === neededMajor && minor < neededMinor);
}

/** A Node on this machine older than `needed`, from PATH and the usual places, if there is one. */
function oldNode(needed: string): { path: string; version: string } | undefined {
  const places = (process.env['PATH'] ?? '').split(delimiter).map((dir) => join(dir, 'node'));
  for (const path of [...places, '/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(path)) continue;
    const found = spawnSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    const version = found.stdout?.trim();
    if (found.status === 0 && version && older(version, needed)) return { path, version };
  }
  return undefined;
}

/** Runs the built bin with `node` and its `flags`; never throws. */
function bin(main: string, node: string, flags: string[], args: string[]) {
  const result = spawnSync(node, [...flags, main, ...args], { encoding: 'utf8', timeout: 60_000, env: userEnv() });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Node flags that make this Node report `version` as process.versions.node, before main.js runs. */
const claiming = (version: string) => [
  '--import',
  `data:text/javascript,Object.defineProperty(process.versions,'node',{value:'${version}'})`,
];

describe('the gatehouse executable on a Node older than the engines range', () => {
  let root: string;
  let main: string;
  before(() => {
    // Built as the package ships it, beside the manifest and dependencies run.js reads.
    root = mkdtempSync(join(tmpdir(), 'gh-bin-'));
    execFileSync(
      join(ROOT, 'node_modules/.bin/tsc'),
      ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(root, 'dist')],
      { stdio: 'inherit' },
    );
    copyFileSync(join(ROOT, 'package.json'), join(root, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    main = join(root, 'dist/cli/main.js');
  });
  after(() => rmSync(root, { recursive: true, force: true })); // the link to node_modules, not its target

  it('reads the version it needs from engines (>=MAJOR.MINOR)', () => {
    assert.equal(NEEDED, '22.13');
  });

  it('on 22.12 prints one line naming the version it needs and the one it found, and exits 69', () => {
    const { code, stdout, stderr } = bin(main, process.execPath, claiming('22.12.0'), ['--version']);
    assert.equal(code, 69);
    assert.equal(stdout, '');
    assert.equal(stderr, `gatehouse needs Node.js ${NEEDED} or newer; this is Node.js 22.12.0.\n`);
  });

  it("the overview help's exit-code table names 69 and the version it means", () => {
    const { code, stdout, stderr } = bin(main, process.execPath, claiming('22.13.0'), ['--help']);
    assert.equal(code, 0, stderr);
    assert.match(
      stdout,
      new RegExp(`\\n {2}69 +this Node\\.js is older than gatehouse needs \\(${String(NEEDED).replace('.', '\\.')}\\)`),
    );
  });

  it('on 22.13 runs the command', () => {
    const { code, stdout, stderr } = bin(main, process.execPath, claiming('22.13.0'), ['--version']);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, `${MANIFEST.version}\n`);
  });

  const old = NEEDED && oldNode(NEEDED);
  it(`on this machine's old Node (${old ? `${old.path}, ${old.version}` : 'none found'}) says the same, whatever the command`, {
    skip: old ? false : `no Node older than ${NEEDED} on this machine`,
  }, () => {
    if (!old) return;
    for (const args of [
      ['--version'],
      ['doctor', 'http://127.0.0.1:1/'],
      ['token', 'inspect', JWT],
      ['users', 'list'],
    ]) {
      const { code, stdout, stderr } = bin(main, old.path, [], args);
      assert.equal(code, 69, `${args.join(' ')}: ${stderr}`);
      assert.equal(stdout, '');
      assert.equal(stderr, `gatehouse needs Node.js ${NEEDED} or newer; this is Node.js ${old.version}.\n`);
    }
  });
});

describe('npm run gatehouse, from a clone without a build', () => {
  const npmRun = (...args: string[]) => {
    const result = spawnSync('npm', ['run', '--silent', 'gatehouse', '--', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: userEnv(),
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it('prints the version', () => {
    const { code, stdout, stderr } = npmRun('--version');
    assert.equal(code, 0, stderr);
    assert.equal(stdout, `${MANIFEST.version}\n`);
  });

  it('runs a command with its arguments: token inspect decodes a JWT', () => {
    const { code, stdout, stderr } = npmRun('token', 'inspect', JWT);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /"sub": "alice"/);
  });
});
