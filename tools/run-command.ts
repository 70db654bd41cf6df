/** How a command reports a failure it did not expect. */
export interface CommandFailure {
  /** The exit status of an unexpected error: each command documents its own (1 or 2). */
  readonly status: number;
  /** Print the error's stack rather than its message alone. */
  readonly stack?: boolean;
}

/**
 * Runs a command's `main` and exits with the status it answers; an error it throws is printed on stderr and exits
 * with `failure.status`. Written here rather than taken from a library: it is the few lines every script of the
 * project (load kit, local tools) ends with, and exitCode (not process.exit) lets open sockets and files close.
 */
export function runCommand(main: () => Promise<number>, failure: CommandFailure): void {
  main().then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      const text =
        error instanceof Error ? ((failure.stack === true ? error.stack : undefined) ?? error.message) : String(error);
      process.stderr.write(`${text}\n`);
      process.exitCode = failure.status;
    },
  );
}
