// command.ts — the shape every CLI command has, so the dispatcher can parse, help and run it.
import type { GlobalOptions, OptionSpecs, Values } from './args.js';
import type { ContamosClient } from './http.js';
import type { CliIo } from './io.js';

export interface CommandContext {
  io: CliIo;
  values: Values;
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
  /** Returns the exit code; throws CliError for failures. */
  run(ctx: CommandContext): Promise<number>;
}
