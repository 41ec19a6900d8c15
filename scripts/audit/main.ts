// main.ts — `npm run audit -- …`: the independent auditor of Contamos releases.
//
// Guarantees:
// - Exit code 0 when every requested check passed (warnings allowed unless --strict), 1 when any
//   check failed, 2 when the command line is wrong or the audit could not run at all.
// - Prints the readable report (or the explanations, with --explain) on stdout; with --json FILE
//   also writes the full JSON report there, with `--json -` the JSON report on stdout INSTEAD of
//   the text (for machines); progress of long interval computations goes to stderr. Nothing is
//   written anywhere else, except the copy asked for with --download.
// - Independent: from the project it imports only crypto/ (see audit.ts and test/audit).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { USAGE, parseCli } from './args.js';
import { runAudit } from './audit.js';
import { UsageError } from './errors.js';
import { explanation } from './explain.js';
import { renderText } from './report.js';

export interface MainIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const defaultIo: MainIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

export async function main(argv: readonly string[], io: MainIo = defaultIo): Promise<number> {
  let opts;
  try {
    opts = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`contamos-audit: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (opts.explain) io.stdout(`${explanation(opts.lang)}\n`);
  if (!opts.server && !opts.dir && !opts.database && opts.logs.length === 0) return 0;

  if (opts.download) mkdirSync(opts.download, { recursive: true });
  try {
    // Long interval computations say how far they are, on stderr (stdout is the report).
    const report = await runAudit({ ...opts, progress: (status) => io.stderr(`contamos-audit: ${status}\n`) });
    if (opts.json === '-') io.stdout(JSON.stringify(report, null, 2) + '\n');
    else io.stdout(renderText(report, opts.lang));
    if (opts.json && opts.json !== '-') {
      mkdirSync(path.dirname(path.resolve(opts.json)), { recursive: true });
      writeFileSync(opts.json, JSON.stringify(report, null, 2) + '\n');
    }
    return report.exitCode;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`contamos-audit: ${e.message}\n`);
      return 2;
    }
    io.stderr(`contamos-audit: the audit could not run: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`contamos-audit: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
