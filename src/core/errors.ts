/**
 * Error classes shared across boltzlab. `UsageError` marks wrong input to a
 * command or function (a missing, malformed or contradictory argument), as
 * opposed to a failure while working; the CLI exits with code 2 for it and 1
 * for anything else, without matching on message text.
 */

/** Wrong input: the message names the function or command and the argument. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** True for a `UsageError` (also across module copies, by name). */
export function isUsageError(e: unknown): e is UsageError {
  return e instanceof UsageError || (e instanceof Error && e.name === "UsageError");
}
