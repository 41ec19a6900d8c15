// open.ts — `contamos open`: the steward downloads every sealed report and opens the narratives
// on this machine, into a CSV for reading and de-duplication work.
//
// Guarantees:
// - Requests are steward-signed; reports are fetched page by page (all pages).
// - Narratives are opened HERE with the steward's seal secret key, which never leaves this
//   machine. The server never had it.
// - The CSV is UTF-8 with a BOM (so spreadsheets show accents), mode 0600, written to a temporary
//   file and renamed into place; an existing file is not replaced without --force.
// - Cells a spreadsheet would run as a formula (starting with = + - @, tab or CR) are prefixed with
//   an apostrophe unless --raw, so a hostile narrative cannot run on the steward's machine.
// - A narrative that cannot be opened (sealed to another key, damaged) is left empty, counted and
//   reported; the exit code is then 1.
import { existsSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { openNarrative } from '../../../crypto/index.js';
import { flag, requireStr, resolvePath } from '../args.js';
import type { Command } from '../command.js';
import { PrivateFileWriter } from '../files.js';
import { CliError, EXIT_FAILURE, EXIT_OK, println } from '../io.js';
import { loadSigningKey } from '../keyfile.js';
import { fetchWellKnown } from '../server-info.js';

export const OPEN_COLUMNS = [
  'id',
  'status',
  'year',
  'quarter',
  'region',
  'incidentType',
  'victimGender',
  'victimNationality',
  'victimAgeBand',
  'perpetratorType',
  'outcome',
  'dedupeTag',
  'supersedes',
  'narrative',
] as const;

type StewardReport = Record<string, unknown> & { id: string; status: string; sealedNarrative: string };

const FORMULA_START = /^[=+\-@\t\r]/;

function cell(v: unknown, raw: boolean): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return !raw && FORMULA_START.test(s) ? `'${s}` : s;
}

export const openCommand: Command = {
  name: 'open',
  summary: 'descargar y abrir las narraciones (steward) / download and open the narratives (steward)',
  help: `Uso / Usage: contamos open --key steward.key.json --out FILE.csv [--force] [--raw]

  Descarga todos los reportes sellados y abre las narraciones en este equipo con la clave secreta
  de la administración. El CSV resultante contiene texto sensible: debe quedarse en este equipo.
  Downloads all sealed reports and opens the narratives on this machine with the steward's
  secret key. The resulting CSV holds sensitive plaintext: it must stay on this machine.

  --out FILE   CSV a crear (UTF-8 con BOM, permisos 0600) / CSV to create (UTF-8 with BOM, mode 0600)
  --force      reemplazar FILE si existe / replace FILE if it exists
  --raw        no proteger celdas que empiezan por = + - @ / do not guard cells starting with = + - @`,
  options: { out: { type: 'string' }, force: { type: 'boolean' }, raw: { type: 'boolean' } },
  async run({ io, values, global, client }) {
    const out = resolvePath(io, requireStr(values, 'out'));
    if (existsSync(out) && !flag(values, 'force')) {
      throw new CliError(`El archivo ya existe: ${out} (use --force para reemplazarlo)`, `The file already exists: ${out} (use --force to replace it)`);
    }
    const raw = flag(values, 'raw');
    const { key, signer } = await loadSigningKey(io, global.keyFile, { role: 'steward', needSeal: true, command: 'open' });
    const seal = key.seal as { publicKey: string; secretKey: string };
    const c = client();
    const wk = await fetchWellKnown(c);
    if (wk.steward.sealPublicKey !== seal.publicKey) {
      io.stderr.write(
        'aviso: la clave de sellado de este archivo no es la que publica el servidor; las narraciones nuevas no se podrán abrir con ella.\n' +
          "warning: this file's seal key is not the one the server publishes; new narratives cannot be opened with it.\n",
      );
    }

    const writer = new PrivateFileWriter(out);
    const byStatus = new Map<string, number>();
    let total = 0;
    const unopened: string[] = [];
    try {
      writer.write('\ufeff' + stringify([[...OPEN_COLUMNS]], { record_delimiter: 'windows' }));
      let cursor: string | null = null;
      for (let guard = 0; guard < 1_000_000; guard++) {
        const q: string = `/api/v1/steward/reports?limit=500${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await c.request<{ items: StewardReport[]; nextCursor: string | null }>('GET', q, { signer });
        const records: string[][] = [];
        for (const r of page.body.items) {
          let narrative = '';
          try {
            narrative = openNarrative(r.sealedNarrative, seal.publicKey, seal.secretKey);
          } catch {
            unopened.push(r.id);
          }
          records.push(OPEN_COLUMNS.map((col) => cell(col === 'narrative' ? narrative : r[col], raw)));
          byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
          total++;
        }
        if (records.length > 0) writer.write(stringify(records, { record_delimiter: 'windows' }));
        if (total > 0 && io.stderr.isTTY) io.stderr.write(`\rDescargados / downloaded: ${total}\x1b[K`);
        cursor = page.body.nextCursor;
        if (!cursor) break;
      }
      if (total > 0 && io.stderr.isTTY) io.stderr.write('\n');
      writer.commit();
    } catch (e) {
      writer.abort();
      throw e;
    }

    io.stderr.write(
      '\nATENCIÓN: este archivo contiene las narraciones en texto claro (nombres, lugares, fuentes).\n' +
        'Manténgalo solo en este equipo, cifrado; no lo envíe por correo ni lo suba a la nube; bórrelo cuando termine.\n' +
        'WARNING: this file holds the narratives in plaintext (names, places, sources).\n' +
        "Keep it only on the steward's own machine, encrypted; do not e-mail or upload it; delete it when done.\n\n",
    );
    println(io.stdout, `Reportes / reports: ${total} (${[...byStatus].map(([s, n]) => `${s}: ${n}`).join(', ') || '—'})`);
    println(io.stdout, `CSV: ${out} (0600)`);
    if (unopened.length > 0) {
      io.stderr.write(
        `${unopened.length} narración(es) no se pudieron abrir con esta clave (quedan vacías) / ${unopened.length} narrative(s) could not be opened with this key (left empty):\n` +
          unopened.map((id) => `  ${id}\n`).join(''),
      );
      return EXIT_FAILURE;
    }
    return EXIT_OK;
  },
};
