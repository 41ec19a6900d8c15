// io.ts — what every command writes to, and the one error type commands throw.
//
// Guarantees:
// - Commands never touch process.stdout/stderr/exit directly: they get a `CliIo`, so tests can run
//   them in-process and capture everything they print.
// - Every failure a person can meet is a `CliError` carrying a Spanish message, an English message
//   and an exit code; `formatError` prints it "español / English" on one line, then any details.
//   Messages never include secret keys (callers pass only public material into them).

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  /** Environment variables (CONTAMOS_SERVER, …). */
  env: Record<string, string | undefined>;
  /** Base folder for relative paths; defaults to process.cwd(). */
  cwd?: string;
  /** Asks for a secret (a key file's passphrase) without showing it; absent when there is no terminal. */
  readSecret?: (prompt: string) => Promise<string>;
  /** Asks a yes/no question at the terminal (the publisher's confirmation); absent when there is no terminal. */
  confirm?: (question: string) => Promise<boolean>;
}

/** Exit codes: 0 ok, 1 failure, 2 wrong usage (bad flags or arguments). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class CliError extends Error {
  constructor(
    readonly es: string,
    readonly en: string,
    readonly exitCode: number = EXIT_FAILURE,
    readonly details: string[] = [],
  ) {
    super(`${es} / ${en}`);
    this.name = 'CliError';
  }
}

/** A usage error (exit code 2): a wrong or missing flag. */
export function usageError(es: string, en: string, details: string[] = []): CliError {
  return new CliError(es, en, EXIT_USAGE, details);
}

export function formatError(e: CliError): string {
  const lines = [`error: ${e.es} / ${e.en}`];
  for (const d of e.details) lines.push(`  ${d}`);
  return lines.join('\n') + '\n';
}

/** The IO of the real process (a hidden prompt for passphrases when stdin is a terminal). */
export function processIo(readSecret?: (prompt: string) => Promise<string>): CliIo {
  const tty = Boolean(process.stdin.isTTY);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    ...(readSecret && tty ? { readSecret } : {}),
    ...(tty ? { confirm: askYesNo } : {}),
  };
}

/** "s", "si", "sí", "y", "yes" (any case) is yes; anything else, or end of input, is no. */
export function isYes(answer: string): boolean {
  return /^\s*(s|si|sí|y|yes)\s*$/i.test(answer);
}

async function askYesNo(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return isYes(await rl.question(question));
  } catch {
    return false;
  } finally {
    rl.close();
  }
}

export function println(out: OutStream, text = ''): void {
  out.write(text + '\n');
}
