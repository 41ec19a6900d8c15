// csv-rows.ts — reading a bulk-import CSV into checked reports, all problems at once.
//
// Guarantees:
// - The file must be UTF-8 (a BOM is fine); the delimiter is "," or ";" (as Spanish-locale
//   spreadsheets write), detected from the header line. Header names are matched without regard
//   to letter case; unknown or repeated columns, and missing required ones, are refused.
// - Every row is checked (column count, taxonomy codes, year, outcome rule, narrative size, id)
//   and EVERY problem is returned with the row's line number in the file (the first line of a
//   row whose quoted narrative spans several lines). Rows whose cells are all blank are skipped.
// - Each row gets a DETERMINISTIC report id: the `id` column when present, otherwise a UUIDv4
//   built from sha256(keyId, canonical row content) with the version and variant bits set. The
//   same row imported again by the same organisation gets the same id, which is what makes the
//   import idempotent. Two rows with the same id (identical content) are refused, since the
//   server would count them once.
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { CliError } from './io.js';
import { type CheckedReport, type CodeBook, type Problem, UUID_V4, canonicalRow, checkReport } from './report.js';

export const REQUIRED_COLUMNS = [
  'year',
  'region',
  'incidentType',
  'victimGender',
  'victimNationality',
  'victimAgeBand',
  'perpetratorType',
  'narrative',
] as const;
export const OPTIONAL_COLUMNS = ['quarter', 'outcome', 'dedupeDetails', 'id'] as const;
const ALL_COLUMNS: readonly string[] = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS];

export interface CsvRow {
  /** 1-based data row number (header excluded, blank rows excluded). */
  row: number;
  /** First line of the row in the file. */
  line: number;
  id: string;
  report: CheckedReport;
}

export interface RowProblem {
  line: number;
  problems: Problem[];
}

/** A UUIDv4-formatted id from sha256(keyId + "\n" + content), version and variant bits set. */
export function deterministicId(keyId: string, content: string): string {
  const b = createHash('sha256').update(`${keyId}\n${content}`, 'utf8').digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function detectDelimiter(text: string): ',' | ';' {
  const nl = text.search(/\r?\n/);
  const first = nl < 0 ? text : text.slice(0, nl);
  const commas = (first.match(/,/g) ?? []).length;
  const semis = (first.match(/;/g) ?? []).length;
  return semis > commas ? ';' : ',';
}

export function readCsvRows(
  text: string,
  file: string,
  book: CodeBook,
  opts: { keyId: string; haveDedupeSecret: boolean },
): { rows: CsvRow[]; bad: RowProblem[]; headerHasDedupe: boolean } {
  const delimiter = detectDelimiter(text);
  let records: Array<{ record: string[]; info: { lines: number; empty_lines: number } }>;
  try {
    records = parse(text, { info: true, skip_empty_lines: true, relax_column_count: true, bom: true, delimiter }) as unknown as typeof records;
  } catch (e) {
    const line = (e as { lines?: unknown }).lines;
    throw new CliError(
      `El CSV no se puede leer${typeof line === 'number' ? ` (línea ${line})` : ''}: ${file}`,
      `The CSV cannot be read${typeof line === 'number' ? ` (line ${line})` : ''}: ${file}`,
      1,
      [
        (e as Error).message,
        'Revise las comillas: un texto con saltos de línea o comas debe ir entre comillas dobles / Check the quotes: text with line breaks or commas must be in double quotes.',
      ],
    );
  }
  const headerRec = records[0];
  if (!headerRec) throw new CliError(`El CSV está vacío: ${file}`, `The CSV is empty: ${file}`);

  // Header.
  const columns: string[] = [];
  const headerProblems: string[] = [];
  for (const raw of headerRec.record) {
    const name = raw.trim();
    const canonical = ALL_COLUMNS.find((c) => c.toLowerCase() === name.toLowerCase());
    if (!canonical) headerProblems.push(`columna desconocida / unknown column: "${name}"`);
    else if (columns.includes(canonical)) headerProblems.push(`columna repetida / repeated column: "${name}"`);
    columns.push(canonical ?? name);
  }
  for (const req of REQUIRED_COLUMNS) {
    if (!columns.includes(req)) headerProblems.push(`falta la columna / missing column: "${req}"`);
  }
  if (headerProblems.length > 0) {
    throw new CliError(`La primera línea del CSV (encabezado) no es válida: ${file}`, `The CSV's first line (header) is not valid: ${file}`, 1, [
      ...headerProblems,
      `Columnas / columns: ${REQUIRED_COLUMNS.join(',')} [,${OPTIONAL_COLUMNS.join('] [,')}]`,
    ]);
  }

  const rows: CsvRow[] = [];
  const bad: RowProblem[] = [];
  const byId = new Map<string, number>();
  let prevEnd = headerRec.info.lines;
  let prevEmpty = headerRec.info.empty_lines;
  let rowNo = 0;
  for (const { record, info } of records.slice(1)) {
    const line = prevEnd + 1 + (info.empty_lines - prevEmpty);
    prevEnd = info.lines;
    prevEmpty = info.empty_lines;
    if (record.every((cell) => cell.trim() === '')) continue;
    rowNo++;
    if (record.length !== columns.length) {
      bad.push({
        line,
        problems: [
          {
            field: '(fila / row)',
            es: `tiene ${record.length} columnas; el encabezado tiene ${columns.length}`,
            en: `has ${record.length} columns; the header has ${columns.length}`,
          },
        ],
      });
      continue;
    }
    const cells: Record<string, string> = {};
    columns.forEach((c, i) => (cells[c] = record[i]!));
    const checked = checkReport(
      {
        year: cells.year,
        quarter: cells.quarter,
        region: cells.region,
        incidentType: cells.incidentType,
        victimGender: cells.victimGender,
        victimNationality: cells.victimNationality,
        victimAgeBand: cells.victimAgeBand,
        perpetratorType: cells.perpetratorType,
        outcome: cells.outcome,
        narrative: cells.narrative,
        dedupeDetails: cells.dedupeDetails,
      },
      book,
      { haveDedupeSecret: opts.haveDedupeSecret },
    );
    const problems: Problem[] = [...checked.problems];
    let id: string | undefined;
    const given = cells.id?.trim();
    if (given) {
      if (!UUID_V4.test(given.toLowerCase())) {
        problems.push({ field: 'id', es: `id: "${given}" no es un UUIDv4`, en: `id: "${given}" is not a UUIDv4` });
      } else id = given.toLowerCase();
    } else if (checked.report) {
      id = deterministicId(opts.keyId, canonicalRow(checked.report));
    }
    if (id !== undefined) {
      const first = byId.get(id);
      if (first !== undefined) {
        problems.push({
          field: 'id',
          es: given
            ? `id repetido (ya está en la línea ${first})`
            : `fila idéntica a la de la línea ${first}; si son hechos distintos, añada una columna id o distíngalas en la narración`,
          en: given
            ? `repeated id (already on line ${first})`
            : `row identical to line ${first}; if they are different incidents, add an id column or tell them apart in the narrative`,
        });
      } else byId.set(id, line);
    }
    if (problems.length > 0 || !checked.report || id === undefined) {
      bad.push({ line, problems });
      continue;
    }
    rows.push({ row: rowNo, line, id, report: checked.report });
  }
  return { rows, bad, headerHasDedupe: columns.includes('dedupeDetails') };
}
