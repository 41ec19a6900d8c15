// welcome.ts — what `npm start` and `npm run demo` print for a person once the server listens:
// in Spanish and English, the addresses of the pages, where the demo keys are (when this folder
// holds them), and the one command that invites an organisation (it prints the invite link).
//
// Guarantees: the text goes to stderr, and for `npm start` only when stderr is a terminal (a
// person is reading) or CONTAMOS_WELCOME=1: under a process manager or in a container, the logs
// stay the server's JSON lines only, which log collectors and the auditor's inventory of logs
// expect (CONTAMOS_WELCOME=0 silences it everywhere); it names only the server's own address and
// local file paths, never a key's contents; a server listening on every interface (0.0.0.0, ::)
// is shown at the loopback address, which a browser on the same machine can open, with a note
// for other devices.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { inviteLink } from '../cli/commands/invite.js';

export interface WelcomeInput {
  /** The address the server listens on (Running.url). */
  url: string;
  /** CONTAMOS_HOME: where server-keys.json and, for a demo key set, the private key files are. */
  home: string;
  /** The npm command that runs the CLI here. */
  cli?: string;
  /** For `npm run demo`: what was loaded. */
  demo?: { incidents: number; reports: number; organisations: number; releases: string[]; invite?: string };
  /** Base folder for showing paths (default: the working folder). */
  cwd?: string;
}

function browsable(url: string): { url: string; wildcard: boolean } {
  const u = new URL(url);
  if (u.hostname === '0.0.0.0') return { url: url.replace('0.0.0.0', '127.0.0.1'), wildcard: true };
  if (u.hostname === '[::]') return { url: url.replace('[::]', '[::1]'), wildcard: true };
  return { url, wildcard: false };
}

function shown(file: string, cwd: string): string {
  const rel = path.relative(cwd, path.resolve(cwd, file));
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.resolve(cwd, file);
}

/** The welcome text (see header). */
export function welcomeText(input: WelcomeInput): string {
  const cwd = input.cwd ?? process.cwd();
  const { url, wildcard } = browsable(input.url);
  const cli = input.cli ?? 'npm run cli --';
  const steward = path.resolve(cwd, input.home, 'steward.key.json');
  const publisher = path.resolve(cwd, input.home, 'publisher.key.json');
  const hasDemoKeys = existsSync(steward);
  const rule = '─'.repeat(72);
  const lines: string[] = [rule];
  if (input.demo) {
    const d = input.demo;
    lines.push(
      'Demostración de Contamos — TODOS LOS DATOS SON FICTICIOS / Contamos demo — ALL DATA IS SYNTHETIC',
      `  ${d.incidents} hechos, ${d.reports} reportes de ${d.organisations} organizaciones seudónimas, ${d.releases.length} publicaciones firmadas`,
      `  ${d.incidents} incidents, ${d.reports} reports from ${d.organisations} pseudonymous organisations, ${d.releases.length} signed releases`,
      '  (muchos hechos los reportan dos o tres organizaciones: se cuentan una vez / many incidents are reported by two or three: counted once)',
      '',
    );
  } else {
    lines.push('Contamos está funcionando / Contamos is running', '');
  }
  lines.push(
    'Abra en el navegador / Open in a browser:',
    `  Enviar un reporte (organizaciones) / Submit a report (organisations):  ${url}/enviar`,
    `  Estadísticas públicas / Public statistics:                              ${url}/estadisticas`,
    `  Referencia de la API / API reference:                                   ${url}/api/v1/docs`,
  );
  if (wildcard) {
    lines.push('  Desde otro equipo, use la dirección de esta máquina / From another device, use this machine’s address.');
  }
  if (input.demo) {
    lines.push('  Publicaciones en CSV / Releases as CSV:');
    for (const id of input.demo.releases) lines.push(`    ${url}/api/v1/releases/${id}.csv`);
    lines.push(`  Auditar / Audit:  npm run audit -- --server ${url}`);
    if (input.demo.invite) {
      lines.push(
        '',
        'Para probar el formulario como una organización, abra esta invitación (de un solo uso):',
        'To try the form as an organisation, open this (one-time) invite:',
        `  ${inviteLink(new URL(url), input.demo.invite)}`,
      );
    }
  }
  lines.push('');
  if (hasDemoKeys) {
    lines.push(
      `Llaves de demostración / Demo keys (${shown(input.home, cwd)}/):`,
      `  administración (steward):  ${shown(steward, cwd)}`,
      ...(existsSync(publisher) ? [`  publicación (publisher):   ${shown(publisher, cwd)}`] : []),
      '  Solo para probar: en un uso real se crean en el equipo de cada persona y aquí queda solo la parte pública (README).',
      '  For trying out only: for real use they are made on each person’s own computer and only the public half stays here (README).',
      '',
      'Invitar a una organización / Invite an organisation:',
      `  ${cli} invite --key ${shown(steward, cwd)} --server ${url}`,
    );
  } else {
    lines.push(
      'Invitar a una organización (en el equipo de la administración, con su llave) / Invite an organisation (on the steward’s computer, with its key):',
      `  npx contamos invite --key steward.key.json --server ${url}`,
    );
  }
  lines.push(
    `  Imprime un enlace ${url}/enviar#invitacion=… para enviárselo; la organización lo abre en su navegador,`,
    '  crea su llave, la guarda y envía reportes, sin usar ninguna terminal.',
    `  It prints a link ${url}/enviar#invitacion=… to send them; the organisation opens it in its browser,`,
    '  creates its key, saves it and submits reports, without any terminal.',
    '',
    'Detener / Stop: Ctrl-C',
    rule,
  );
  return lines.join('\n') + '\n';
}

/** Prints the welcome text on stderr (see header for when). */
export function printWelcome(
  input: WelcomeInput,
  env: NodeJS.ProcessEnv = process.env,
  out: { write(s: string): unknown; isTTY?: boolean } = process.stderr,
): void {
  if (env.CONTAMOS_WELCOME === '0') return;
  if (!input.demo && !out.isTTY && env.CONTAMOS_WELCOME !== '1') return;
  out.write(welcomeText(input));
}
