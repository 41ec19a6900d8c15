// csv.ts — the tidy CSV of a release (tidy.ts), and its HXL variant: the same file with a row of
// HXL hashtags under the header (Humanitarian Exchange Language, hxlstandard.org), so
// humanitarian tools recognise the columns.
//
// Guarantees:
// - The columns, their order, their types and their descriptions are `tidyColumns`, the same list
//   the data package's Table Schema is made from (datapackage.ts): the file and its schema
//   cannot drift apart.
// - One row per quantity (tidy.ts); RFC 4180 quoting (csv-stringify), UTF-8 with a byte-order mark
//   so that spreadsheet programs read the accents right; an empty `count` means hidden.
// - The licence and the citation travel with the data in the data package and the zip; the CSV
//   itself holds only the table, so that it loads as a table anywhere.
import { stringify } from 'csv-stringify/sync';
import type { Manifest } from '../schemas/manifest.js';
import { dimensionLabel } from '../web/i18n.js';
import { labelOf, levelOf, tidyDimensions, tidyRows, type TidyRow } from './tidy.js';

export interface TidyColumn {
  name: string;
  type: 'string' | 'integer';
  description: string;
  /** HXL hashtag and attributes. */
  hxl: string;
  enum?: string[];
  required?: boolean;
  value(row: TidyRow, releaseId: string): string;
}

/** incidentType → incident_type */
export const columnStem = (dim: string): string => dim.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const HXL: Record<string, string> = {
  year: '#date+year',
  quarter: '#date+quarter',
  region: '#adm1',
  incidentType: '#event+type',
  victimGender: '#affected+gender',
  victimNationality: '#affected+nationality',
  victimAgeBand: '#affected+age',
  perpetratorType: '#group+perpetrator',
  outcome: '#status+outcome',
};

export function tidyColumns(m: Manifest): TidyColumn[] {
  const dims = tidyDimensions(m);
  const cols: TidyColumn[] = [
    {
      name: 'release_id',
      type: 'string',
      required: true,
      hxl: '#meta+release',
      value: (_r, id) => id,
      description: 'Id of the signed release (series-sequence); its manifest is at /api/v1/releases/{release_id}. / Id de la publicación firmada.',
    },
    {
      name: 'tables',
      type: 'string',
      required: true,
      hxl: '#meta+tables',
      value: (r) => r.tables.join(' '),
      description:
        'Numbers of the release tables (1, 2, …, space-separated) that show this figure; a figure shown in several tables is one row. / Tablas de la publicación que muestran esta cifra.',
    },
  ];
  for (const d of dims) {
    const stem = columnStem(d);
    const tag = HXL[d] ?? `#indicator+${stem.replace(/_/g, '')}`;
    const es = dimensionLabel(d, 'es');
    const en = dimensionLabel(d, 'en');
    cols.push(
      {
        name: `${stem}_level`,
        type: 'string',
        required: true,
        enum: ['total', 'group', 'item'],
        hxl: `${tag}+level`,
        value: (r) => levelOf(m, d, r.key[d]!),
        description: `${en}: "total" = all codes, "group" = a group of codes (e.g. a macro-region), "item" = one code. Sum only rows of one level to avoid counting twice. / ${es}: nivel (total, grupo o código).`,
      },
      {
        name: `${stem}_code`,
        type: 'string',
        required: true,
        hxl: `${tag}+code`,
        value: (r) => r.key[d]!,
        description: `${en}: code from the taxonomy (/api/v1/taxonomy), "*" for the total. / ${es}: código de la taxonomía, "*" para el total.`,
      },
      {
        name: `${stem}_label_es`,
        type: 'string',
        required: true,
        hxl: `${tag}+name+i_es`,
        value: (r) => labelOf(d, r.key[d]!, 'es'),
        description: `${es} (etiqueta en español).`,
      },
      {
        name: `${stem}_label_en`,
        type: 'string',
        required: true,
        hxl: `${tag}+name+i_en`,
        value: (r) => labelOf(d, r.key[d]!, 'en'),
        description: `${en} (English label).`,
      },
    );
  }
  cols.push(
    {
      name: 'count',
      type: 'integer',
      hxl: '#affected+incidents+num',
      value: (r) => (r.count === null ? '' : String(r.count)),
      description:
        m.method === 'dp'
          ? 'Number of incidents, with differential-privacy noise (see error_margin_90). / Número de hechos, con ruido de privacidad diferencial.'
          : `Number of incidents recorded; empty when hidden to protect people (fewer than ${m.k} or hidden so that a small figure cannot be worked out). / Número de hechos registrados; vacío cuando está oculta para proteger a las personas.`,
    },
    {
      name: 'status',
      type: 'string',
      required: true,
      enum: ['published', 'hidden'],
      hxl: '#status+publication',
      value: (r) => r.status,
      description:
        '"published", or "hidden": the figure is withheld to protect people (it may be 0, small or large). / "published" (publicada) u "hidden" (oculta para proteger a las personas).',
    },
  );
  if (m.method === 'dp') {
    cols.push({
      name: 'error_margin_90',
      type: 'integer',
      hxl: '#affected+incidents+margin',
      value: (r) => (r.errorMargin90 === undefined ? '' : String(r.errorMargin90)),
      description: 'Half-width of the 90% interval of the noise added to count. / Margen de error al 90 %.',
    });
  }
  return cols;
}

function csvOf(m: Manifest, withHxl: boolean): string {
  const cols = tidyColumns(m);
  const rows = tidyRows(m).map((r) => cols.map((c) => c.value(r, m.id)));
  const head = [cols.map((c) => c.name), ...(withHxl ? [cols.map((c) => c.hxl)] : [])];
  return '\uFEFF' + stringify([...head, ...rows], { record_delimiter: '\r\n' });
}

/** The tidy CSV (header row, then one row per quantity). */
export function tidyCsv(m: Manifest): string {
  return csvOf(m, false);
}

/** The same with HXL hashtags as a second row. */
export function hxlCsv(m: Manifest): string {
  return csvOf(m, true);
}
