#!/usr/bin/env node
// contamos.mjs — launcher for `npx contamos`: runs scripts/cli.ts through tsx in a child Node
// process (`node --import tsx scripts/cli.ts …`), passing the arguments, standard streams, exit
// code and termination signals through. tsx is resolved from this package, so it works from any
// working folder.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '..', 'cli.ts');
let tsx;
try {
  tsx = import.meta.resolve('tsx');
} catch {
  process.stderr.write('error: No se encontró tsx; ejecute "npm install" / tsx not found; run "npm install"\n');
  process.exit(1);
}

const child = spawn(process.execPath, ['--import', tsx, cli, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => child.kill(sig));
}
child.on('error', (e) => {
  process.stderr.write(`error: No se pudo iniciar la herramienta / Could not start the tool: ${e.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else process.exit(code ?? 1);
});
