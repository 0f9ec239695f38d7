/**
 * What a new password (users add, users passwd) must be. It is read from a pipe as often as typed,
 * and a pipe may hold anything: `gatehouse users list | gatehouse users passwd alice` pipes a table.
 * One line, of a length a person types or a manager pastes, is a password; anything else is refused
 * rather than stored.
 */

/** The longest password taken, in UTF-8 bytes: far above any typed or generated one, far below a file. */
export const MAX_PASSWORD_BYTES = 1024; // bytes

/** Why the password cannot be taken, in a sentence that does not quote it; undefined when it can. */
export function newPasswordProblem(password: string): string | undefined {
  // A closed or empty stdin (a pipe from nothing, `< /dev/null`) reads as no password at all.
  if (password === '')
    return 'no password was given (stdin was empty); type it, or pipe it on one line, at least 8 characters';
  if (/[\r\n]/.test(password)) return 'the password holds a line break; give it alone, on one line';
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES)
    return `the password is longer than ${MAX_PASSWORD_BYTES} bytes; give it alone, on one line`;
  if (password.length < 8) return 'the password needs at least 8 characters';
  return undefined;
}
