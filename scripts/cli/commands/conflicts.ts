// conflicts.ts — `contamos conflicts` lists the dedupe conflicts (tags whose reports disagree on a
// countable field) and `contamos conflicts resolve TAG REPORTID` records which report's values
// count. Both steward-signed.
//
// Guarantees: the list follows every page; each conflict is printed with the fields that differ,
// the fields its reports share and each report's id and differing values (the server never says
// which member sent which report, so neither does this); tag and report id are checked locally
// before anything is sent.
import { flag } from '../args.js';
import type { Command } from '../command.js';
import type { ContamosClient } from '../http.js';
import { type OutStream, EXIT_OK, println, usageError } from '../io.js';
import { type Signer, loadSigningKey } from '../keyfile.js';
import { UUID_V4 } from '../report.js';

const FIELDS = {
  year: 'año / year',
  quarter: 'trimestre / quarter',
  region: 'región / region',
  incidentType: 'tipo / type',
  victimGender: 'género / gender',
  victimNationality: 'nacionalidad / nationality',
  victimAgeBand: 'edad / age',
  perpetratorType: 'autor / perpetrator',
  outcome: 'desenlace / outcome',
} as const;
type Field = keyof typeof FIELDS;

export interface ConflictReport extends Record<Field, string | number | null> {
  id: string;
}
export interface Conflict {
  tag: string;
  differ: string[];
  chosenReportId: string | null;
  reports: ConflictReport[];
}

const TAG = /^[0-9a-f]{64}$/;

/** Every conflict, following the cursor through all pages. */
export async function listConflicts(client: ContamosClient, signer: Signer): Promise<Conflict[]> {
  const all: Conflict[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100_000; guard++) {
    const q: string = `/api/v1/steward/conflicts?limit=500${cursor ? `&cursor=${cursor}` : ''}`;
    const page = await client.request<{ items: Conflict[]; nextCursor: string | null }>('GET', q, { signer });
    all.push(...page.body.items);
    cursor = page.body.nextCursor;
    if (!cursor) break;
  }
  return all;
}

const shown = (v: string | number | null) => (v === null ? '(sin dato / none)' : String(v));
const pairs = (r: ConflictReport, fields: Field[]) => fields.map((f) => `${FIELDS[f]}: ${shown(r[f])}`).join(' · ');

export function printConflicts(out: OutStream, items: Conflict[]): void {
  if (items.length === 0) {
    println(out, 'No hay conflictos de deduplicación / No dedupe conflicts.');
    return;
  }
  println(out, `Conflictos de deduplicación / Dedupe conflicts: ${items.length}`);
  items.forEach((c, i) => {
    const differ = (Object.keys(FIELDS) as Field[]).filter((f) => c.differ.includes(f));
    const shared = (Object.keys(FIELDS) as Field[]).filter((f) => !c.differ.includes(f));
    println(out);
    println(out, `${i + 1}. etiqueta / tag ${c.tag}`);
    println(out, `   difieren / differ: ${differ.map((f) => FIELDS[f]).join(', ')}`);
    if (shared.length && c.reports[0]) println(out, `   en común / shared: ${pairs(c.reports[0], shared)}`);
    println(
      out,
      c.chosenReportId
        ? `   resuelto / resolved: cuentan los valores de / the values that count are those of ${c.chosenReportId}`
        : '   sin resolver / unresolved: se aplica la regla del servidor / the server’s rule applies',
    );
    for (const r of c.reports) {
      println(out, `   ${r.id === c.chosenReportId ? '→' : '-'} ${r.id}  ${pairs(r, differ)}`);
    }
  });
  println(out);
  println(out, 'Para elegir / To choose: contamos conflicts resolve TAG REPORTID --key steward.key.json');
}

export const conflictsCommand: Command = {
  name: 'conflicts',
  summary: 'ver los conflictos de deduplicación (steward) / list dedupe conflicts (steward)',
  help: `Uso / Usage: contamos conflicts --key steward.key.json [--json]
             contamos conflicts resolve TAG REPORTID --key steward.key.json

  Lista las etiquetas de deduplicación cuyos reportes activos (de organizaciones cuyos reportes
  cuentan) difieren en algún campo contado: año, trimestre, región, tipo, género, nacionalidad,
  edad, autor o desenlace. Muestra el id y los valores de cada reporte, nunca quién lo envió.
  Mientras no se resuelva, el incidente se cuenta una vez según la regla del servidor.
  Lists the dedupe tags whose active reports (of members whose reports count) disagree on a
  counted field: year, quarter, region, type, gender, nationality, age, perpetrator or outcome.
  Shows each report's id and values, never who sent it. Until resolved, the incident counts once
  by the server's rule.

  --json  salida JSON / JSON output`,
  options: { json: { type: 'boolean' } },
  async run({ io, values, global, client }) {
    const { signer } = await loadSigningKey(io, global.keyFile, { role: 'steward', command: 'conflicts' });
    const items = await listConflicts(client(), signer);
    if (flag(values, 'json')) println(io.stdout, JSON.stringify(items, null, 2));
    else printConflicts(io.stdout, items);
    return EXIT_OK;
  },
};

export const conflictsResolveCommand: Command = {
  name: 'conflicts resolve',
  summary: 'elegir el reporte que cuenta en un conflicto (steward) / choose the report that counts in a conflict (steward)',
  help: `Uso / Usage: contamos conflicts resolve TAG REPORTID --key steward.key.json

  Registra que, para la etiqueta TAG, cuentan los valores del reporte REPORTID (uno de sus
  reportes activos). La elección deja de valer si ese reporte se retira o se reemplaza, o si su
  organización es revocada o puesta en cuarentena; entonces vuelve a aplicarse la regla del
  servidor hasta una nueva elección. Repetirla no cambia nada; elegir otro reporte la reemplaza.
  Records that, for tag TAG, the values of report REPORTID (one of its active reports) count. The
  choice lapses if that report is withdrawn or amended, or its member revoked or quarantined; the
  server's rule then applies again until a new choice. Repeating it changes nothing; choosing
  another report replaces it.

  TAG       la etiqueta (64 caracteres hex) / the tag (64 hex characters)
  REPORTID  el id (UUIDv4) del reporte elegido / the chosen report's id (UUIDv4)`,
  options: {},
  positionals: ['TAG', 'REPORTID'],
  async run({ io, args, global, client }) {
    const tag = args[0]!.trim().toLowerCase();
    const reportId = args[1]!.trim().toLowerCase();
    if (!TAG.test(tag)) throw usageError(`"${tag}" no es una etiqueta (64 caracteres hex)`, `"${tag}" is not a tag (64 hex characters)`);
    if (!UUID_V4.test(reportId)) throw usageError(`"${reportId}" no es un identificador UUIDv4`, `"${reportId}" is not a UUIDv4 id`);
    const { signer } = await loadSigningKey(io, global.keyFile, { role: 'steward', command: 'conflicts resolve' });
    await client().request('POST', `/api/v1/steward/conflicts/${tag}/resolve`, { signer, body: { reportId } });
    println(io.stdout, `Resuelto / Resolved: ${tag}`);
    println(io.stdout, `  Cuentan los valores del reporte / The values that count are those of report ${reportId}`);
    println(io.stdout, '  (mientras siga activo y su organización cuente / while it stays active and its member counts)');
    return EXIT_OK;
  },
};
