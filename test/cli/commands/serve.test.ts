import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

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
});
