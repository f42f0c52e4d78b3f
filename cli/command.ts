/** One `fieldgraph` subcommand: one small file per command in cli/commands/. */
export interface Command {
  readonly name: string;
  /** One line for `fieldgraph --help`. */
  readonly summary: string;
  /** Full usage text for `fieldgraph <name> --help`. */
  readonly usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** A usage mistake: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
