/**
 * Reads a password without it ever being a command-line argument (shell history, `ps`): from
 * standard input, or typed at a prompt with echo off. Standard input is read no further than
 * `maxBytes` and a line end: what is longer is no secret (see new-password.ts).
 */

/** Ctrl-C at the prompt: the run ends with one line, "cancelled", and exit 130, as a SIGINT would. */
export class PromptCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'PromptCancelled';
  }
}

export async function readSecret(prompt: string, maxBytes: number): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    // Read no further than a secret can be (and a shell's CR LF): more is no secret, and a pipe may never end.
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of stdin) {
      chunks.push(chunk as Buffer);
      total += (chunk as Buffer).length;
      if (total > maxBytes + 2) break;
    }
    // One trailing newline is the shell's, not the password's.
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  // Raw before the prompt shows: a key typed at once is read by us, Ctrl-C included, not by the line discipline.
  stdin.setRawMode(true);
  process.stderr.write(prompt);
  stdin.resume();
  let secret = '';
  try {
    for await (const chunk of stdin) {
      for (const ch of (chunk as Buffer).toString('utf8')) {
        if (ch === '\r' || ch === '\n') return secret;
        // In raw mode the terminal sends Ctrl-C as this byte, not as SIGINT.
        if (ch === '\u0003') throw new PromptCancelled();
        if (ch === '\u007f') secret = secret.slice(0, -1);
        else secret += ch;
      }
    }
    return secret;
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}
