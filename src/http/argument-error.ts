/** The code of every TypeError the shared model throws for an argument it cannot use. */
export const INVALID_ARGUMENT = 'ERR_GATEHOUSE_INVALID_ARGUMENT' as const;

/**
 * A TypeError for a caller's mistake, with a stable `code` so callers can test `err.code`
 * rather than the message. The message names the argument and says what would be accepted.
 */
export function invalidArgument(message: string): TypeError & { code: typeof INVALID_ARGUMENT } {
  return Object.assign(new TypeError(message), { code: INVALID_ARGUMENT as typeof INVALID_ARGUMENT });
}
