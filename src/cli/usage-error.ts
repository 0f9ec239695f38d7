/**
 * A command line that cannot be run as typed: exit 64 with one line on stderr that says what is
 * wrong and points at the command's --help. The message never quotes what was typed where that
 * may be a secret (a token or a password that lost its flag).
 */
export class UsageError extends Error {
  /** What the line is about, after the command's name: `--curl` gives `gatehouse doctor --curl: …`. */
  readonly subject: string | undefined;

  constructor(message: string, options: { subject?: string } = {}) {
    super(message);
    this.name = 'UsageError';
    this.subject = options.subject;
  }
}
