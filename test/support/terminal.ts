/**
 * The CLI at a terminal 60 columns wide: /usr/bin/python3 gives it a pseudo-terminal (node has
 * none to offer), waits for `prompt` on it, types `keys`, and reports the exit code and everything
 * the terminal showed.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const main = join(import.meta.dirname, '../../src/cli/main.ts');

const DRIVER = `
import fcntl, os, pty, select, struct, sys, termios, time
prompt, keys, argv = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 60, 0, 0))
    os.execv(argv[0], argv)
shown, typed, deadline = b'', False, time.time() + 30
while time.time() < deadline:
    if not typed and prompt in shown:
        os.write(fd, keys)
        typed = True
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        shown += data
_, status = os.waitpid(pid, 0)
sys.stdout.write(str(os.waitstatus_to_exitcode(status)) + '\\n' + shown.decode('utf8', 'replace'))
`;

export function gatehouseAtTerminal(
  args: string[],
  prompt: string,
  keys: string,
): Promise<{ code: number; shown: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['-c', DRIVER, prompt, keys, process.execPath, main, ...args]);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk));
    child.on('error', reject);
    child.on('close', () => {
      const newline = out.indexOf('\n');
      resolve({ code: Number(out.slice(0, newline)), shown: out.slice(newline + 1).replace(/\r\n/g, '\n') });
    });
  });
}
