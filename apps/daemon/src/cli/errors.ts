/**
 * The CLI's one error type. Every failure the user should see becomes a `CliError` with a
 * stable `code` (the daemon's own code when the daemon refused) and the exit code it ends the
 * process with; `main` prints its message and never a stack trace (unless POOLNET_DEBUG=1).
 */

/** The exit codes of `poolnet`, part of its interface for scripts. */
export const EXIT = {
  ok: 0,
  /** The daemon or the server refused; the message says why. */
  refused: 1,
  /** No daemon answers for the data directory. */
  noDaemon: 2,
  /** Bad command line (BSD sysexits EX_USAGE). */
  usage: 64,
} as const;

export class CliError extends Error {
  override readonly name = 'CliError';
  /** For usage errors: the command whose usage line is shown under the message. */
  readonly command: string | undefined;

  constructor(
    /** `USAGE`, `NO_DAEMON`, or the daemon's `error.code` passed through. */
    readonly code: string,
    message: string,
    readonly exitCode: number,
    options?: {
      cause?: unknown;
      /** For usage errors: the command whose usage line is shown under the message. */
      command?: string;
    },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.command = options?.command;
  }
}

/** A bad command line: exit 64. */
export function usageError(message: string, command?: string, cause?: unknown): CliError {
  return new CliError('USAGE', message, EXIT.usage, { cause, command });
}

export function isCliError(err: unknown): err is CliError {
  return err instanceof CliError;
}
