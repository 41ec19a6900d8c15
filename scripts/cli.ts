// cli.ts — entry point of the `contamos` command-line tool (`npm run cli -- <command>`, or
// `npx contamos <command>` through scripts/bin/contamos.mjs). The commands live in scripts/cli/;
// `main(argv, io)` is exported for tests and never exits the process itself.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { main } from './cli/main.js';
import { processIo } from './cli/io.js';
import { readHiddenLine } from './cli/passphrase.js';

export { main } from './cli/main.js';
export type { CliIo } from './cli/io.js';

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const code = await main(process.argv.slice(2), processIo(readHiddenLine));
  process.exitCode = code;
}
