// main.ts — the CLI dispatcher: picks the command, parses its flags, runs it, maps failures.
//
// Guarantees:
// - `main(argv, io)` never calls process.exit and never writes outside `io`: it RETURNS the exit
//   code (0 ok, 1 failure, 2 wrong usage), so tests can run commands in-process.
// - Every failure is printed as "español / English" on stderr; an unexpected exception too, with
//   its message but no stack trace (set CONTAMOS_DEBUG=1 to see the stack). Secret keys are
//   never part of any message.
// - Global options may come before or after the command name.
import { GLOBAL_HELP, GLOBAL_OPTIONS, checkPositionals, globalOptions, isLoopback, parseCommandLine } from './args.js';
import type { Command } from './command.js';
import { dedupeSecretCommand } from './commands/dedupe-secret.js';
import { enrolCommand } from './commands/enrol.js';
import { importCommand } from './commands/import.js';
import { inviteCommand } from './commands/invite.js';
import { keysCommand } from './commands/keys.js';
import { openCommand } from './commands/open.js';
import { quarantineCommand } from './commands/quarantine.js';
import { organisationCommand } from './commands/organisation.js';
import { conflictsCommand, conflictsResolveCommand } from './commands/conflicts.js';
import { revokeCommand } from './commands/revoke.js';
import { statusCommand } from './commands/status.js';
import { submitCommand } from './commands/submit.js';
import { withdrawCommand } from './commands/withdraw.js';
import { releaseCommand } from './commands/release.js';
import { featureCommand } from './commands/feature.js';
import { receiptsCommand } from './commands/receipts.js';
import { ContamosClient } from './http.js';
import { CliError, type CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, formatError, println, usageError } from './io.js';

export const COMMANDS: readonly Command[] = [
  keysCommand,
  inviteCommand,
  enrolCommand,
  submitCommand,
  importCommand,
  statusCommand,
  withdrawCommand,
  openCommand,
  revokeCommand,
  quarantineCommand,
  organisationCommand,
  conflictsCommand,
  conflictsResolveCommand,
  dedupeSecretCommand,
  releaseCommand,
  featureCommand,
  receiptsCommand,
];

export function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `contamos — herramienta de línea de órdenes de Contamos / Contamos command-line tool

Uso / Usage: contamos <orden/command> [opciones/options]
             contamos <orden/command> --help

Órdenes / Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

${GLOBAL_HELP}

Flujo habitual / Usual flow:
  steward:      contamos keys --role steward --out steward.key.json
                contamos invite --key steward.key.json
  organización: contamos keys --role member --out org.key.json
                contamos enrol --invite TOKEN --key org.key.json
                contamos submit --key org.key.json …   |   contamos import --key org.key.json --csv casos.csv
                contamos status --key org.key.json
  steward:      contamos open --key steward.key.json --out narraciones.csv
                contamos conflicts --key steward.key.json
                contamos conflicts resolve TAG REPORTID --key steward.key.json
                contamos quarantine KEYID --key steward.key.json [--undo]
                contamos same-organisation KEYID --as OTRA/OTHER --key steward.key.json
  publicación:  contamos release --key publisher.key.json --series anual --years 2023 --tables "year,region;year,incidentType"
  organización: contamos receipts verify --key org.key.json --release anual-1
`;
}

export function commandHelp(cmd: Command): string {
  return `contamos ${cmd.name} — ${cmd.summary}\n\n${cmd.help}\n\n${GLOBAL_HELP}\n`;
}

/** Splits leading global options (before the command name) from the rest. */
function splitLeadingGlobals(argv: string[]): { leading: string[]; rest: string[] } {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const a = argv[i]!;
    if (!a.startsWith('-')) break;
    const name = a.replace(/^--?/, '').split('=')[0]!;
    const spec = GLOBAL_OPTIONS[name] ?? Object.values(GLOBAL_OPTIONS).find((o) => o.short === name);
    if (!spec) break;
    leading.push(a);
    if (spec.type === 'string' && !a.includes('=') && i + 1 < argv.length) {
      leading.push(argv[i + 1]!);
      i += 2;
    } else i += 1;
  }
  return { leading, rest: argv.slice(i) };
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    const { leading, rest } = splitLeadingGlobals(argv);
    // two-word commands ("receipts verify") are one command name
    if (rest.length > 1 && COMMANDS.some((c) => c.name === `${rest[0]} ${rest[1]}`)) rest.splice(0, 2, `${rest[0]} ${rest[1]}`);
    const name = rest[0];
    const wantsHelp = leading.includes('--help') || leading.includes('-h');
    if (name === undefined) {
      if (wantsHelp) {
        io.stdout.write(generalHelp());
        return EXIT_OK;
      }
      io.stderr.write(generalHelp());
      return EXIT_USAGE;
    }
    if (name === 'help') {
      const target = rest[1] ? COMMANDS.find((c) => c.name === rest[1]) : undefined;
      io.stdout.write(target ? commandHelp(target) : generalHelp());
      return EXIT_OK;
    }
    if (name === '--version' || name === 'version') {
      println(io.stdout, 'contamos 0.1.0');
      return EXIT_OK;
    }
    const cmd = COMMANDS.find((c) => c.name === name || (name === 'enroll' && c.name === 'enrol'));
    if (!cmd) {
      throw usageError(`Orden desconocida: "${name}"`, `Unknown command: "${name}"`, [
        `Órdenes / commands: ${COMMANDS.map((c) => c.name).join(', ')}`,
        'Use "contamos --help" / Run "contamos --help".',
      ]);
    }
    const positionalNames = cmd.positionals ?? [];
    const { values, positionals } = parseCommandLine([...leading, ...rest.slice(1)], cmd.options, positionalNames.length > 0);
    if (values.help === true) {
      io.stdout.write(commandHelp(cmd));
      return EXIT_OK;
    }
    checkPositionals(positionals, positionalNames);
    const global = globalOptions(io, values);
    let client: ContamosClient | undefined;
    return await cmd.run({
      io,
      values,
      args: positionals,
      global,
      client: () => {
        if (!client) {
          if (global.server.protocol === 'http:' && !isLoopback(global.server)) {
            io.stderr.write(
              `aviso: ${global.server.origin} usa http sin cifrar; use https:// fuera de este equipo\n` +
                `warning: ${global.server.origin} is unencrypted http; use https:// beyond this machine\n`,
            );
          }
          client = new ContamosClient({ server: global.server, retries: global.retries });
        }
        return client;
      },
    });
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr.write(formatError(e));
      return e.exitCode;
    }
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    io.stderr.write(`error: Error inesperado / Unexpected error\n  ${msg}\n`);
    if (io.env.CONTAMOS_DEBUG === '1' && e instanceof Error && e.stack) io.stderr.write(e.stack + '\n');
    return EXIT_FAILURE;
  }
}
