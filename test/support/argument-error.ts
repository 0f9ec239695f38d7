/** Matches the coded TypeError Gatehouse throws for a bad argument, with a message that says what to pass. */
export const invalidArgumentError = (message: RegExp) => (error: unknown) =>
  error instanceof TypeError &&
  (error as { code?: string }).code === 'ERR_GATEHOUSE_INVALID_ARGUMENT' &&
  message.test(error.message);
