/**
 * Errors meant for people. Their message is one line that the CLI prints and
 * the window shows in its banner as is; anything else is a bug, reported as
 * "internal error" plus its message, never as a stack trace.
 */

export class UserFacingError extends Error {
  override name = 'UserFacingError';
}

/** Thrown by importers: the message says what is wrong; the loader adds the file name. */
export class ImportError extends UserFacingError {
  override name = 'ImportError';
}

export class CancelledError extends UserFacingError {
  override name = 'CancelledError';
  constructor() {
    super('cancelled');
  }
}

/** One line for any error, for the CLI's stderr and the window's banner. */
export function oneLineMessage(error: unknown): string {
  if (error instanceof UserFacingError) return error.message.replace(/\s*\n\s*/g, ' ').trim();
  // Anything else is a bug: its first line says what; later lines are often stack frames.
  const message = error instanceof Error ? error.message : String(error);
  return `internal error: ${message.trim().split('\n')[0].trim()}`;
}
