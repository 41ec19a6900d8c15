// submit.ts — `contamos submit`: send one report.
//
// Guarantees:
// - Every field is checked against the server's taxonomy before anything is sent; all problems
//   are listed together with the valid codes.
// - The narrative is sealed on this device to the steward's seal key from the server's
//   well-known document, and the dedupe tag is computed here: the server never sees the
//   narrative nor the identifying details in plaintext.
// - The report id is chosen here (a random UUIDv4 unless --id is given), so a retry after a
//   network failure re-sends the same body under the same id and cannot create a duplicate.
// - The receipt is accepted only if its signature verifies against the well-known receipt key
//   and it signs the hash of exactly what was sent; it is then appended (fsync) to the receipts
//   file before being printed, with its short code (crypto/receipt-code.ts).
import { randomUUID } from 'node:crypto';
import { receiptCode } from '../../../crypto/index.js';
import { resolvePath, str } from '../args.js';
import type { Command } from '../command.js';
import { readDedupeSecret } from '../dedupe-secret.js';
import { readUtf8File } from '../files.js';
import { ApiError } from '../http.js';
import { CliError, EXIT_OK, println, usageError } from '../io.js';
import { loadSigningKey } from '../keyfile.js';
import { appendReceipt, checkReceipt, defaultReceiptsFile, type Receipt } from '../receipts.js';
import { CodeBook, type ReportInput, UUID_V4, buildBody, checkReport, validCodesHelp } from '../report.js';
import { fetchTaxonomy, fetchWellKnown } from '../server-info.js';

/** Flag name → report field. */
const FIELD_FLAGS: Record<string, keyof ReportInput> = {
  year: 'year',
  quarter: 'quarter',
  region: 'region',
  type: 'incidentType',
  gender: 'victimGender',
  nationality: 'victimNationality',
  age: 'victimAgeBand',
  perpetrator: 'perpetratorType',
  outcome: 'outcome',
};

const JSON_FIELDS = new Set([
  'year',
  'quarter',
  'region',
  'incidentType',
  'victimGender',
  'victimNationality',
  'victimAgeBand',
  'perpetratorType',
  'outcome',
  'narrative',
  'dedupeDetails',
  'supersedes',
  'id',
]);

export const submitCommand: Command = {
  name: 'submit',
  summary: 'enviar un reporte / submit one report',
  help: `Uso / Usage:
  contamos submit --key member.key.json --year 2024 --region PE-LMA --type homicide \\
      --gender trans-woman --nationality VE --age 25-34 --perpetrator criminal-organisation \\
      [--outcome …] [--quarter N] (--narrative TEXTO | --narrative-file FILE)
  contamos submit --key member.key.json --json report.json

  La narración se cifra en este equipo para la administración de la coalición; el servidor no
  puede leerla. Los códigos válidos están en GET /api/v1/taxonomy (también se aceptan las
  etiquetas, p. ej. "Lima Metropolitana").
  The narrative is encrypted on this device for the coalition steward; the server cannot read
  it. Valid codes are in GET /api/v1/taxonomy (labels such as "Metropolitan Lima" also work).

  --year N                 año / year
  --quarter N              trimestre 1–4 (opcional) / quarter 1–4 (optional)
  --region CODE            región / region (PE-LMA, PE-CAL, PE-MDD, …, unknown)
  --type CODE              tipo de hecho / incident type (homicide, disappearance, extortion, …)
  --gender CODE            género de la víctima / victim's gender (cis-woman, trans-woman, …)
  --nationality CODE       nacionalidad / nationality (PE, VE, CO, EC, …, unknown)
  --age CODE               edad / age band (under-18, 18-24, 25-34, 35-44, 45-plus, unknown)
  --perpetrator CODE       presunto agresor / perpetrator (criminal-organisation, client, police, …)
  --outcome CODE           solo desapariciones / disappearances only (still-missing, found-alive, found-dead, unknown)
  --narrative TEXT         narración / narrative
  --narrative-file FILE    narración desde un archivo UTF-8 / narrative from a UTF-8 file
  --json FILE              todos los campos desde un archivo JSON (mismos nombres que la API, más
                           "narrative" y "dedupeDetails") / all fields from a JSON file (API names,
                           plus "narrative" and "dedupeDetails")
  --id UUID                identificador propio (UUIDv4 en minúsculas) / your own id (lowercase UUIDv4)
  --supersedes UUID        corrige (reemplaza) un reporte propio anterior / amends an earlier report of yours
  --dedupe-secret FILE     secreto de la coalición / coalition dedupe secret
  --dedupe-details TEXT    datos que identifican el hecho (nombre, fecha, lugar), solo para la
                           etiqueta; no se envían / identifying details (name, date, place), used
                           only for the tag; never sent
  --receipts FILE          archivo de recibos (por defecto receipts.jsonl junto a la clave) /
                           receipts file (default receipts.jsonl next to the key file)`,
  options: {
    json: { type: 'string' },
    year: { type: 'string' },
    quarter: { type: 'string' },
    region: { type: 'string' },
    type: { type: 'string' },
    gender: { type: 'string' },
    nationality: { type: 'string' },
    age: { type: 'string' },
    perpetrator: { type: 'string' },
    outcome: { type: 'string' },
    narrative: { type: 'string' },
    'narrative-file': { type: 'string' },
    id: { type: 'string' },
    supersedes: { type: 'string' },
    'dedupe-secret': { type: 'string' },
    'dedupe-details': { type: 'string' },
    receipts: { type: 'string' },
  },
  async run({ io, values, global, client }) {
    // 1. What to send, from flags or a JSON file — all checked before the network is touched.
    const input: ReportInput = {};
    let idRaw = str(values, 'id');
    const jsonFile = str(values, 'json');
    const fieldFlags = Object.keys(FIELD_FLAGS).filter((f) => str(values, f) !== undefined);
    if (jsonFile !== undefined) {
      if (fieldFlags.length > 0) {
        throw usageError('Use --json o las opciones de campos, no ambos', 'Use --json or the field options, not both', [`--${fieldFlags.join(', --')}`]);
      }
      const path = resolvePath(io, jsonFile);
      let doc: unknown;
      try {
        doc = JSON.parse(readUtf8File(path, { es: 'el archivo JSON', en: 'the JSON file' }));
      } catch (e) {
        if (e instanceof CliError) throw e;
        throw new CliError(`El archivo ${path} no es JSON válido`, `${path} is not valid JSON`, 1, [(e as Error).message]);
      }
      if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
        throw new CliError(`El archivo ${path} debe contener un objeto JSON`, `${path} must contain a JSON object`);
      }
      const unknown = Object.keys(doc).filter((k) => !JSON_FIELDS.has(k));
      if (unknown.length > 0) {
        throw new CliError(`Campos desconocidos en ${path}`, `Unknown fields in ${path}`, 1, [
          unknown.join(', '),
          `Campos posibles / possible fields: ${[...JSON_FIELDS].join(', ')}`,
        ]);
      }
      Object.assign(input, doc);
      const docId = (doc as { id?: unknown }).id;
      if (idRaw === undefined && docId !== undefined) idRaw = typeof docId === 'string' ? docId : String(docId);
      delete (input as { id?: unknown }).id;
    } else {
      for (const [flagName, field] of Object.entries(FIELD_FLAGS)) {
        const v = str(values, flagName);
        if (v !== undefined) (input as Record<string, string>)[field] = v;
      }
    }
    const narrative = str(values, 'narrative');
    const narrativeFile = str(values, 'narrative-file');
    if (narrative !== undefined && narrativeFile !== undefined) {
      throw usageError('Use --narrative o --narrative-file, no ambos', 'Use --narrative or --narrative-file, not both');
    }
    if (narrative !== undefined) input.narrative = narrative;
    if (narrativeFile !== undefined) {
      input.narrative = readUtf8File(resolvePath(io, narrativeFile), { es: 'el archivo de la narración', en: 'the narrative file' });
    }
    if (input.narrative === undefined) {
      throw usageError('Falta la narración: --narrative TEXTO o --narrative-file FILE', 'Missing the narrative: --narrative TEXT or --narrative-file FILE');
    }
    const supersedes = str(values, 'supersedes');
    if (supersedes !== undefined) input.supersedes = supersedes;
    const details = str(values, 'dedupe-details');
    if (details !== undefined) input.dedupeDetails = details;
    const secretFile = str(values, 'dedupe-secret');
    const dedupeSecret = secretFile !== undefined ? readDedupeSecret(io, resolvePath(io, secretFile)) : undefined;
    if (dedupeSecret !== undefined && input.dedupeDetails === undefined) {
      throw usageError('--dedupe-secret necesita --dedupe-details', '--dedupe-secret needs --dedupe-details');
    }
    const id = idRaw === undefined ? randomUUID() : idRaw.trim().toLowerCase();
    if (!UUID_V4.test(id)) throw usageError(`--id "${idRaw}" no es un UUIDv4`, `--id "${idRaw}" is not a UUIDv4`);

    const { file: keyFile, signer } = await loadSigningKey(io, global.keyFile, { role: 'member', command: 'submit' });
    const receiptsFile = str(values, 'receipts') ? resolvePath(io, str(values, 'receipts')!) : defaultReceiptsFile(keyFile);

    // 2. Check against the server's taxonomy.
    const c = client();
    const [wk, taxonomy] = await Promise.all([fetchWellKnown(c), fetchTaxonomy(c)]);
    const book = new CodeBook(taxonomy);
    const checked = checkReport(input, book, { haveDedupeSecret: dedupeSecret !== undefined });
    if (!checked.report) {
      throw new CliError('El reporte tiene errores; no se envió nada', 'The report has errors; nothing was sent', 1, [
        ...checked.problems.map((p) => `${p.es} / ${p.en}`),
        ...validCodesHelp(book, checked.problems),
      ]);
    }

    // 3. Seal, send, check the receipt, keep it.
    const body = buildBody(checked.report, wk.steward.sealPublicKey, dedupeSecret);
    let res: { status: number; body: unknown };
    try {
      res = await c.request('PUT', `/api/v1/reports/${id}`, { body, signer });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'report_conflict') {
        throw new CliError(`Ya existe otro reporte con el id ${id}; no se envió nada`, `Another report already exists with id ${id}; nothing was sent`, 1, [
          'Para corregir un reporte propio use --supersedes ID con un id nuevo / To amend one of your reports use --supersedes ID with a new id.',
        ]);
      }
      throw e;
    }
    const receipt: Receipt = checkReceipt(res.body, id, body, wk);
    appendReceipt(receiptsFile, receipt);
    println(io.stdout, JSON.stringify(receipt, null, 2));
    io.stderr.write(
      (res.status === 201 ? `Reporte recibido / Report received: ${id}\n` : `Ya estaba recibido / Already received: ${id}\n`) +
        `Código de recibo / Receipt code: ${receiptCode(receipt.reportId, receipt.reportHash)}\n` +
        `Recibo verificado y guardado en / Receipt verified and saved to: ${receiptsFile}\n`,
    );
    return EXIT_OK;
  },
};
