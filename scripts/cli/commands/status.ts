// status.ts — `contamos status`: the state of one's own reports, as the server holds them.
//
// Guarantees: member-signed; with --id, that report's state; without, every own report, all pages.
// Each report is compared with the organisation's local receipts file: a report whose server hash
// differs from the receipt the organisation holds is flagged (and the exit code is 1).
import { flag, resolvePath, str } from '../args.js';
import type { Command } from '../command.js';
import type { ContamosClient } from '../http.js';
import { EXIT_FAILURE, EXIT_OK, println, usageError } from '../io.js';
import { type Signer, loadSigningKey } from '../keyfile.js';
import { defaultReceiptsFile, readReceipts } from '../receipts.js';
import { UUID_V4 } from '../report.js';

export interface OwnReport {
  id: string;
  status: string;
  reportHash: string;
  supersedes?: string | null;
  supersededBy?: string | null;
  year?: number;
  incidentType?: string;
  region?: string;
}

/** Every report of the signer, following the cursor through all pages. */
export async function listOwnReports(client: ContamosClient, signer: Signer): Promise<OwnReport[]> {
  const all: OwnReport[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100_000; guard++) {
    const q: string = `/api/v1/reports?limit=500${cursor ? `&cursor=${cursor}` : ''}`;
    const page = await client.request<{ items: OwnReport[]; nextCursor: string | null }>('GET', q, { signer });
    all.push(...page.body.items);
    cursor = page.body.nextCursor;
    if (!cursor) break;
  }
  return all;
}

function receiptMark(receipts: ReturnType<typeof readReceipts>, r: OwnReport): 'ok' | 'none' | 'mismatch' {
  const local = receipts.get(r.id);
  if (!local) return 'none';
  return local.reportHash === r.reportHash ? 'ok' : 'mismatch';
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'ver el estado de los reportes propios / show the state of your reports',
  help: `Uso / Usage: contamos status --key member.key.json [--id UUID] [--receipts FILE] [--json]

  Sin --id lista todos los reportes propios (todas las páginas) y los compara con los recibos
  guardados. Con --id muestra el estado de uno.
  Without --id lists all your reports (all pages) and compares them with the saved receipts.
  With --id shows the state of one.

  --id UUID        un reporte / one report
  --receipts FILE  archivo de recibos (por defecto receipts.jsonl junto a la clave) /
                   receipts file (default receipts.jsonl next to the key file)
  --json           salida JSON / JSON output`,
  options: { id: { type: 'string' }, receipts: { type: 'string' }, json: { type: 'boolean' } },
  async run({ io, values, global, client }) {
    const { file, signer } = await loadSigningKey(io, global.keyFile, { role: 'member', command: 'status' });
    const receipts = readReceipts(str(values, 'receipts') ? resolvePath(io, str(values, 'receipts')!) : defaultReceiptsFile(file));
    const json = flag(values, 'json');
    const idRaw = str(values, 'id');
    if (idRaw !== undefined) {
      const id = idRaw.trim().toLowerCase();
      if (!UUID_V4.test(id)) throw usageError(`"${id}" no es un identificador UUIDv4`, `"${id}" is not a UUIDv4 id`);
      const res = await client().request<OwnReport>('GET', `/api/v1/reports/${id}`, { signer });
      const mark = receiptMark(receipts, res.body);
      if (json) println(io.stdout, JSON.stringify({ ...res.body, receipt: mark }, null, 2));
      else {
        println(io.stdout, `${res.body.id}  estado / status: ${res.body.status}`);
        println(io.stdout, `  hash: ${res.body.reportHash}`);
        if (res.body.supersedes) println(io.stdout, `  reemplaza a / supersedes: ${res.body.supersedes}`);
        if (res.body.supersededBy) println(io.stdout, `  reemplazado por / superseded by: ${res.body.supersededBy}`);
        println(
          io.stdout,
          `  recibo local / local receipt: ${mark === 'ok' ? 'coincide / matches' : mark === 'none' ? 'no hay / none' : '¡NO coincide! / does NOT match!'}`,
        );
      }
      return mark === 'mismatch' ? EXIT_FAILURE : EXIT_OK;
    }
    const items = await listOwnReports(client(), signer);
    const marks = items.map((r) => receiptMark(receipts, r));
    if (json) {
      println(
        io.stdout,
        JSON.stringify(
          items.map((r, i) => ({ ...r, receipt: marks[i] })),
          null,
          2,
        ),
      );
    } else {
      println(io.stdout, 'id                                    estado/status  año/year  tipo/type            región/region  recibo/receipt');
      items.forEach((r, i) => {
        const m = marks[i] === 'ok' ? 'ok' : marks[i] === 'none' ? '-' : 'NO COINCIDE / MISMATCH';
        println(
          io.stdout,
          `${r.id}  ${r.status.padEnd(13)}  ${String(r.year ?? '').padEnd(8)}  ${(r.incidentType ?? '').padEnd(19)}  ${(r.region ?? '').padEnd(13)}  ${m}`,
        );
      });
      const by = new Map<string, number>();
      for (const r of items) by.set(r.status, (by.get(r.status) ?? 0) + 1);
      println(io.stdout);
      println(io.stdout, `Total: ${items.length} (${[...by].map(([s, n]) => `${s}: ${n}`).join(', ') || '—'})`);
    }
    const bad = marks.filter((m) => m === 'mismatch').length;
    if (bad > 0) {
      io.stderr.write(`aviso: ${bad} reporte(s) no coinciden con su recibo local / warning: ${bad} report(s) do not match their local receipt\n`);
      return EXIT_FAILURE;
    }
    return EXIT_OK;
  },
};
