// command.ts — the shape every CLI command has, so the dispatcher can parse, help and run it.
import type { GlobalOptions, OptionSpecs, Values } from './args.js';
import type { ContamosClient } from './http.js';
import type { CliIo } from './io.js';

export interface CommandContext {
  io: CliIo;
  values: Values;
  /** The positional arguments, exactly as many as the command's `positionals` names. */
  args: string[];
  global: GlobalOptions;
  /** A client for the --server given (created lazily by the dispatcher). */
  client(): ContamosClient;
}

export interface Command {
  name: string;
  /** One line, "español / English". */
  summary: string;
  /** Usage and option help (bilingual), printed by --help above the global options. */
  help: string;
  options: OptionSpecs;
  /** Names of the positional arguments the command takes, in order (all required); none if absent. */
  positionals?: readonly string[];
  /** Returns the exit code; throws CliError for failures. */
  run(ctx: CommandContext): Promise<number>;
}
