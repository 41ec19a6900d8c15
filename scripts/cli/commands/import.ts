// import.ts — `contamos import`: bulk import of reports from a CSV, idempotent and resumable.
//
// Guarantees:
// - Nothing is sent unless EVERY row is valid: all bad rows are reported with their line numbers.
// - Each row has a deterministic id (see csv-rows.ts) and every acknowledged row is recorded in
//   <csv>.progress.jsonl (append + fsync) and its verified receipt in the receipts file, so:
//   * running the same import again sends nothing (rows in the progress file are skipped);
//   * after an interruption, a row the server already holds but the progress file lacks gets
//     409 (its re-sealed body differs); the CLI then asks GET /api/v1/reports/:id, and if the
//     report is the organisation's own it is recorded as "already sent" — never duplicated.
// - Narratives are sealed and dedupe tags computed on this device, row by row, just before
//   sending. Up to --concurrency rows are in flight at once.
// - A failure that would hit every row (server unreachable, key revoked or unknown, clock wrong)
//   stops the run; the rows not attempted are sent by the next run. The summary counts sent,
//   already done, failed and not attempted; the exit code is non-zero unless all rows are done.
import { flag, intInRange, resolvePath, str } from '../args.js';
import type { Command } from '../command.js';
import { readCsvRows, type CsvRow } from '../csv-rows.js';
import { readDedupeSecret } from '../dedupe-secret.js';
import { readUtf8File } from '../files.js';
import { ApiError, NetworkError } from '../http.js';
import { ImportProgress, progressFileFor } from '../import-progress.js';
import { CliError, EXIT_FAILURE, EXIT_OK, formatError, println, usageError } from '../io.js';
import { loadSigningKey } from '../keyfile.js';
import { ProgressLine } from '../progress.js';
import { ReceiptError, appendReceipt, checkReceipt, defaultReceiptsFile, readReceipts } from '../receipts.js';
import { CodeBook, buildBody, validCodesHelp } from '../report.js';
import { fetchTaxonomy, fetchWellKnown } from '../server-info.js';

/** Refusals that would repeat for every row: stop instead of failing each one. */
const STOP_CODES = new Set([
  'key_revoked',
  'unknown_key',
  'forbidden_role',
  'signature_expired',
  'signature_invalid',
  'signature_malformed',
  'digest_mismatch',
  'rate_limited',
  'database_unavailable',
]);

export interface ImportSummary {
  rows: number;
  sent: number;
  alreadyDone: number;
  failed: number;
  notAttempted: number;
  stopped: boolean;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'importar muchos reportes desde un CSV / bulk import reports from a CSV',
  help: `Uso / Usage: contamos import --key member.key.json --csv FILE [--receipts FILE]
                       [--dedupe-secret FILE] [--concurrency 4] [--check]

  Columnas del CSV (primera línea) / CSV columns (first line):
    year,quarter,region,incidentType,victimGender,victimNationality,victimAgeBand,
    perpetratorType,outcome,narrative[,dedupeDetails][,id]
  (quarter y outcome pueden quedar vacíos; separador "," o ";"; UTF-8 /
   quarter and outcome may be empty; delimiter "," or ";"; UTF-8)

  Se puede repetir sin duplicar nada: cada fila tiene un id fijo y el avance se guarda en
  FILE.progress.jsonl; si se interrumpe, vuelva a ejecutar la misma orden.
  Safe to repeat, nothing is duplicated: each row has a fixed id and progress is kept in
  FILE.progress.jsonl; if interrupted, run the same command again.

  --csv FILE            el CSV / the CSV file
  --receipts FILE       archivo de recibos (por defecto receipts.jsonl junto a la clave) /
                        receipts file (default receipts.jsonl next to the key file)
  --dedupe-secret FILE  secreto de la coalición, para la columna dedupeDetails /
                        coalition secret, for the dedupeDetails column
  --concurrency N       envíos simultáneos (1–16, por defecto 4) / parallel sends (1–16, default 4)
  --check               solo revisar el CSV, no enviar nada / only check the CSV, send nothing
  --json                resumen en JSON / summary as JSON`,
  options: {
    csv: { type: 'string' },
    receipts: { type: 'string' },
    'dedupe-secret': { type: 'string' },
    concurrency: { type: 'string' },
    check: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run({ io, values, global, client }) {
    const csvArg = str(values, 'csv');
    if (!csvArg) throw usageError('Falta la opción --csv', 'Missing option --csv');
    const csvFile = resolvePath(io, csvArg);
    const concurrency = str(values, 'concurrency') === undefined ? 4 : intInRange(str(values, 'concurrency')!, 'concurrency', 1, 16);
    const secretFile = str(values, 'dedupe-secret');
    const dedupeSecret = secretFile !== undefined ? readDedupeSecret(io, resolvePath(io, secretFile)) : undefined;
    const { file: keyFile, signer } = await loadSigningKey(io, global.keyFile, { role: 'member', command: 'import' });
    const receiptsFile = str(values, 'receipts') ? resolvePath(io, str(values, 'receipts')!) : defaultReceiptsFile(keyFile);
    const text = readUtf8File(csvFile, { es: 'el CSV', en: 'the CSV' });

    // 1. Check every row against the server's taxonomy before sending anything.
    const c = client();
    const [wk, taxonomy] = await Promise.all([fetchWellKnown(c), fetchTaxonomy(c)]);
    const book = new CodeBook(taxonomy);
    const { rows, bad } = readCsvRows(text, csvFile, book, { keyId: signer.keyId, haveDedupeSecret: dedupeSecret !== undefined });
    if (bad.length > 0) {
      const details: string[] = [];
      for (const b of bad) for (const p of b.problems) details.push(`línea / line ${b.line}: ${p.es} / ${p.en}`);
      details.push(
        ...validCodesHelp(
          book,
          bad.flatMap((b) => b.problems),
        ),
      );
      throw new CliError(
        `${bad.length} fila(s) del CSV tienen errores; no se envió nada`,
        `${bad.length} CSV row(s) have errors; nothing was sent`,
        1,
        details,
      );
    }
    if (flag(values, 'check')) {
      println(io.stdout, `CSV correcto: ${rows.length} filas listas para enviar / CSV is valid: ${rows.length} rows ready to send`);
      return EXIT_OK;
    }

    // 2. Resume: skip rows already acknowledged.
    const progress = new ImportProgress(progressFileFor(csvFile), signer.keyId);
    const ids = new Set(rows.map((r) => r.id));
    const orphaned = [...progress.done.keys()].filter((id) => !ids.has(id)).length;
    if (orphaned > 0) {
      io.stderr.write(
        `aviso: ${orphaned} envío(s) anotados en ${progress.file} ya no corresponden a ninguna fila (¿filas editadas?). ` +
          'Una fila editada se envía como un reporte nuevo; retire el anterior con "contamos withdraw".\n' +
          `warning: ${orphaned} send(s) recorded in ${progress.file} match no row any more (edited rows?). ` +
          'An edited row is sent as a new report; withdraw the old one with "contamos withdraw".\n',
      );
    }
    const todo = rows.filter((r) => !progress.has(r.id));
    const summary: ImportSummary = { rows: rows.length, sent: 0, alreadyDone: rows.length - todo.length, failed: 0, notAttempted: 0, stopped: false };
    const failures: string[] = [];
    let stopError: CliError | undefined;
    const localReceipts = todo.length > 0 ? readReceipts(receiptsFile) : new Map();
    const bar = new ProgressLine(io.stderr, todo.length, 'Enviando / Sending');
    const note = (msg: string) => {
      if (io.stderr.isTTY) io.stderr.write('\r\x1b[K');
      io.stderr.write(msg + '\n');
    };

    // 3. Send, `concurrency` rows at a time.
    const sendRow = async (row: CsvRow): Promise<void> => {
      const body = buildBody(row.report, wk.steward.sealPublicKey, dedupeSecret);
      try {
        const res = await c.request('PUT', `/api/v1/reports/${row.id}`, { body, signer });
        const receipt = checkReceipt(res.body, row.id, body, wk);
        appendReceipt(receiptsFile, receipt);
        progress.record({ row: row.row, line: row.line, id: row.id, state: 'sent', reportHash: receipt.reportHash, receipt });
        summary.sent++;
        return;
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 'report_conflict')) throw e;
      }
      // 409: the id is taken. Ours from an interrupted run, or someone else's?
      let state: { id: string; status: string; reportHash: string };
      try {
        state = (await c.request<{ id: string; status: string; reportHash: string }>('GET', `/api/v1/reports/${row.id}`, { signer })).body;
      } catch (e) {
        if (e instanceof ApiError && e.code === 'report_not_found') {
          throw new CliError(`el id ${row.id} ya lo usa otro reporte que no es suyo`, `id ${row.id} is already used by a report that is not yours`);
        }
        throw e;
      }
      const kept = localReceipts.get(row.id);
      const receipt = kept && kept.reportHash === state.reportHash ? kept : undefined;
      progress.record({ row: row.row, line: row.line, id: row.id, state: 'already', reportHash: state.reportHash, ...(receipt ? { receipt } : {}) });
      summary.alreadyDone++;
      note(`línea / line ${row.line}: ya enviado / already sent (${row.id}, ${state.status})`);
    };

    let next = 0;
    const worker = async () => {
      while (!stopError && next < todo.length) {
        const row = todo[next++]!;
        try {
          await sendRow(row);
        } catch (e) {
          const err = e instanceof CliError ? e : new CliError('error inesperado', 'unexpected error', 1, [e instanceof Error ? e.message : String(e)]);
          summary.failed++;
          const line = `línea / line ${row.line} (${row.id}): ${err.es} / ${err.en}${err.details.length ? ` — ${err.details.join('; ')}` : ''}`;
          failures.push(line);
          note(line);
          const stops = err instanceof NetworkError || (err instanceof ApiError && STOP_CODES.has(err.code)) || err instanceof ReceiptError;
          if (stops && !stopError) stopError = err;
        } finally {
          bar.tick();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, todo.length)) }, worker));
    bar.finish();
    summary.notAttempted = rows.length - summary.sent - summary.alreadyDone - summary.failed;
    summary.stopped = stopError !== undefined;

    // 4. Summary.
    if (flag(values, 'json')) {
      println(io.stdout, JSON.stringify({ ...summary, progressFile: progress.file, receiptsFile }, null, 2));
    } else {
      println(io.stdout, `Filas / rows: ${summary.rows}`);
      println(io.stdout, `  enviadas / sent: ${summary.sent}`);
      println(io.stdout, `  ya estaban / already done: ${summary.alreadyDone}`);
      println(io.stdout, `  fallidas / failed: ${summary.failed}`);
      if (summary.notAttempted > 0) println(io.stdout, `  sin intentar / not attempted: ${summary.notAttempted}`);
      println(io.stdout, `Recibos / receipts: ${receiptsFile}`);
      println(io.stdout, `Avance / progress: ${progress.file}`);
    }
    if (stopError) {
      io.stderr.write(formatError(stopError));
      io.stderr.write(
        'Importación detenida. Corrija el problema y vuelva a ejecutar la misma orden: no se duplicará nada.\n' +
          'Import stopped. Fix the problem and run the same command again: nothing will be duplicated.\n',
      );
    } else if (summary.failed > 0) {
      io.stderr.write(
        `${summary.failed} fila(s) fallaron (ver arriba); vuelva a ejecutar para reintentarlas / ${summary.failed} row(s) failed (see above); run again to retry them.\n`,
      );
    }
    return summary.failed > 0 || summary.notAttempted > 0 ? EXIT_FAILURE : EXIT_OK;
  },
};
