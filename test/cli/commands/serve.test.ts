import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gatehouseSync } from '../../support/cli.ts';

const main = join(import.meta.dirname, '../../../src/cli/main.ts');

describe('gatehouse serve', () => {
  it('serve prints its address first, serves, and closes cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [main, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const firstLine = await new Promise<string>((resolve) => {
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
    });
    assert.match(firstLine, /^gatehouse playground listening on http:\/\/127\.0\.0\.1:\d+$/);
    const url = firstLine.split(' ').at(-1)!;
    assert.deepStrictEqual(
      await (
        await fetch(`${url}/basic-auth/user/passwd`, { headers: { authorization: `Basic ${btoa('user:passwd')}` } })
      ).json(),
      { authenticated: true, user: 'user' },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(out, /gatehouse playground closed\n$/);
  });

  it('refuses a value it would otherwise read as another (an empty port as 0, hex as decimal) before listening', () => {
    for (const [flag, value, said] of [
      ['--port', '', '--port takes a port number from 0 (any free port) to 65535'],
      ['--port', '0x50', '--port takes a port number from 0 (any free port) to 65535'],
      ['--port', '8080.5', '--port takes a port number from 0 (any free port) to 65535'],
      ['--refresh-grace', '1e3', '--refresh-grace takes milliseconds from 0'],
      ['--refresh-grace', ' 5', '--refresh-grace takes milliseconds from 0'],
    ]) {
      const result = gatehouseSync(['serve', flag!, value!], { timeoutMs: 20_000 });
      assert.equal(result.code, 64, `${flag} ${JSON.stringify(value)}`);
      assert.equal(result.stdout, '', 'it did not listen');
      assert.ok(result.stderr.startsWith(`gatehouse serve: ${said}`), result.stderr);
      assert.ok(result.stderr.endsWith(' (gatehouse serve --help shows the usage)\n'), result.stderr);
    }
  });
});
