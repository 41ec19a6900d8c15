// report.ts — turning what a person typed (flags, a JSON file, a CSV row) into a report body.
//
// Guarantees:
// - `checkReport` validates every field against the server's taxonomy BEFORE anything is sent and
//   returns ALL problems at once, each in Spanish and English, naming the field and the value.
//   A code may be written in any letter case or as its Spanish or English label ("Lima
//   Metropolitana", "trans woman"); it is always sent as the canonical code.
// - Rules checked: year a whole number from the taxonomy's minimum to the current year; quarter
//   1–4 or absent; outcome required for a disappearance and refused otherwise; narrative at most
//   64 KiB − 1 of UTF-8; supersedes a lowercase UUIDv4; dedupe details only with a dedupe secret.
// - `buildBody` seals the narrative to the steward (randomised every time) and computes the
//   dedupe tag locally: the plaintext narrative and the identifying details never leave here.
// - `canonicalRow` is the content a deterministic import id is derived from: canonical codes,
//   narrative and dedupe details, independent of letter case, labels or column order.
import { MAX_NARRATIVE_BYTES, canonicalJson, dedupeTag, normaliseDetails, sealNarrative, utf8Encode } from '../../crypto/index.js';
import type { Taxonomy, TaxonomyCode } from './server-info.js';

export const CATEGORICAL_FIELDS = ['region', 'incidentType', 'victimGender', 'victimNationality', 'victimAgeBand', 'perpetratorType', 'outcome'] as const;
export type CategoricalField = (typeof CATEGORICAL_FIELDS)[number];

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A report as typed: everything is text (or a number from a JSON file). */
export interface ReportInput {
  year?: string | number;
  quarter?: string | number;
  region?: string;
  incidentType?: string;
  victimGender?: string;
  victimNationality?: string;
  victimAgeBand?: string;
  perpetratorType?: string;
  outcome?: string;
  narrative?: string;
  dedupeDetails?: string;
  supersedes?: string;
}

/** A checked report, codes canonical, narrative still in plaintext (sealed only in buildBody). */
export interface CheckedReport {
  year: number;
  quarter?: number;
  region: string;
  incidentType: string;
  victimGender: string;
  victimNationality: string;
  victimAgeBand: string;
  perpetratorType: string;
  outcome?: string;
  narrative: string;
  dedupeDetails?: string;
  supersedes?: string;
}

export interface Problem {
  field: string;
  es: string;
  en: string;
}

/** The body sent to PUT /api/v1/reports/:id. */
export interface ReportBody {
  year: number;
  quarter?: number;
  region: string;
  incidentType: string;
  victimGender: string;
  victimNationality: string;
  victimAgeBand: string;
  perpetratorType: string;
  outcome?: string;
  sealedNarrative: string;
  dedupeTag?: string;
  supersedes?: string;
}

const FIELD_NAMES: Record<string, string> = {
  year: 'año / year',
  quarter: 'trimestre / quarter',
  region: 'región / region',
  incidentType: 'tipo de hecho / incident type',
  victimGender: 'género / gender',
  victimNationality: 'nacionalidad / nationality',
  victimAgeBand: 'edad / age band',
  perpetratorType: 'presunto agresor / perpetrator',
  outcome: 'desenlace / outcome',
  narrative: 'narración / narrative',
  dedupeDetails: 'datos para deduplicar / dedupe details',
  supersedes: 'reemplaza a / supersedes',
};

export function fieldName(field: string): string {
  return FIELD_NAMES[field] ? `${field} (${FIELD_NAMES[field]})` : field;
}

/** Lowercase, accents removed, whitespace/underscores/dashes collapsed: for matching labels. */
function fold(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\s_–—-]+/g, ' ')
    .trim();
}

/** Code lookup tables for one taxonomy: folded code or label → canonical code. */
export class CodeBook {
  private readonly lookup = new Map<CategoricalField, Map<string, string>>();
  constructor(readonly taxonomy: Taxonomy) {
    for (const field of CATEGORICAL_FIELDS) {
      const codes = taxonomy.fields[field]?.codes ?? [];
      const map = new Map<string, string>();
      const ambiguous = new Set<string>();
      // Exact codes first (case-insensitive), then labels where they are unambiguous.
      for (const c of codes) map.set(c.code.toLowerCase(), c.code);
      for (const c of codes) {
        for (const label of [c.label.es, c.label.en, c.code]) {
          const k = fold(label);
          const prev = map.get(k);
          if (prev !== undefined && prev !== c.code) ambiguous.add(k);
          else map.set(k, c.code);
        }
      }
      for (const k of ambiguous) if (!codes.some((c) => c.code.toLowerCase() === k)) map.delete(k);
      this.lookup.set(field, map);
    }
  }

  codes(field: CategoricalField): TaxonomyCode[] {
    return this.taxonomy.fields[field]?.codes ?? [];
  }

  resolve(field: CategoricalField, value: string): string | undefined {
    const map = this.lookup.get(field);
    if (!map) return undefined;
    return map.get(value.trim().toLowerCase()) ?? map.get(fold(value));
  }

  /** "code (etiqueta / label)" lines, for error messages. */
  validList(field: CategoricalField): string {
    return this.codes(field)
      .map((c) => (c.label.es === c.label.en ? `${c.code} (${c.label.es})` : `${c.code} (${c.label.es} / ${c.label.en})`))
      .join(', ');
  }

  get minYear(): number {
    const m = this.taxonomy.fields.year?.min;
    return typeof m === 'number' ? m : 1990;
  }
}

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : undefined;
  if (s === undefined) return undefined;
  return s;
}

/** Validates a report as typed; returns the checked report or every problem found. */
export function checkReport(
  input: ReportInput,
  book: CodeBook,
  opts: { haveDedupeSecret: boolean; currentYear?: number },
): { report: CheckedReport; problems: [] } | { report?: undefined; problems: Problem[] } {
  const problems: Problem[] = [];
  const currentYear = opts.currentYear ?? new Date().getUTCFullYear();
  const wrongType = (field: string) => problems.push({ field, es: `${fieldName(field)}: debe ser texto`, en: `${field}: must be text` });

  // year
  let year: number | undefined;
  const yearRaw = text(input.year)?.trim();
  if (input.year !== undefined && yearRaw === undefined) wrongType('year');
  else if (!yearRaw) problems.push({ field: 'year', es: `${fieldName('year')}: falta`, en: 'year: missing' });
  else if (!/^\d{4}$/.test(yearRaw))
    problems.push({ field: 'year', es: `${fieldName('year')}: "${yearRaw}" no es un año`, en: `year: "${yearRaw}" is not a year` });
  else {
    year = Number(yearRaw);
    if (year < book.minYear || year > currentYear) {
      problems.push({
        field: 'year',
        es: `${fieldName('year')}: ${year} está fuera del rango ${book.minYear}–${currentYear}`,
        en: `year: ${year} is outside ${book.minYear}–${currentYear}`,
      });
      year = undefined;
    }
  }

  // quarter
  let quarter: number | undefined;
  const qRaw = text(input.quarter)?.trim();
  if (input.quarter !== undefined && qRaw === undefined) wrongType('quarter');
  else if (qRaw) {
    const m = /^(?:q|t)?([1-4])$/i.exec(qRaw);
    if (!m)
      problems.push({
        field: 'quarter',
        es: `${fieldName('quarter')}: "${qRaw}" debe ser 1, 2, 3 o 4 (o vacío)`,
        en: `quarter: "${qRaw}" must be 1, 2, 3 or 4 (or empty)`,
      });
    else quarter = Number(m[1]);
  }

  // categorical fields
  const codes: Partial<Record<CategoricalField, string>> = {};
  for (const field of CATEGORICAL_FIELDS) {
    const raw = (input as Record<string, unknown>)[field];
    const v = text(raw)?.trim();
    if (raw !== undefined && v === undefined) {
      wrongType(field);
      continue;
    }
    if (!v) {
      if (field !== 'outcome') problems.push({ field, es: `${fieldName(field)}: falta`, en: `${field}: missing` });
      continue;
    }
    const code = book.resolve(field, v);
    if (code === undefined) {
      problems.push({ field, es: `${fieldName(field)}: "${v}" no es un código válido`, en: `${field}: "${v}" is not a valid code` });
    } else {
      codes[field] = code;
    }
  }
  if (codes.incidentType === 'disappearance' && codes.outcome === undefined && !problems.some((p) => p.field === 'outcome')) {
    problems.push({
      field: 'outcome',
      es: `${fieldName('outcome')}: es obligatorio para una desaparición (use "unknown" si no se sabe)`,
      en: 'outcome: required for a disappearance (use "unknown" if not known)',
    });
  }
  if (codes.incidentType !== undefined && codes.incidentType !== 'disappearance' && codes.outcome !== undefined) {
    problems.push({
      field: 'outcome',
      es: `${fieldName('outcome')}: solo se indica en desapariciones; déjelo vacío para "${codes.incidentType}"`,
      en: `outcome: only for disappearances; leave it empty for "${codes.incidentType}"`,
    });
  }

  // narrative
  const narrative = text(input.narrative) ?? '';
  if (input.narrative !== undefined && typeof input.narrative !== 'string') wrongType('narrative');
  else {
    let bytes = -1;
    try {
      bytes = utf8Encode(narrative).length;
    } catch {
      problems.push({ field: 'narrative', es: `${fieldName('narrative')}: contiene caracteres no válidos`, en: 'narrative: contains invalid characters' });
    }
    if (bytes > MAX_NARRATIVE_BYTES) {
      problems.push({
        field: 'narrative',
        es: `${fieldName('narrative')}: es demasiado larga (${bytes} bytes; máximo ${MAX_NARRATIVE_BYTES})`,
        en: `narrative: too long (${bytes} bytes; at most ${MAX_NARRATIVE_BYTES})`,
      });
    }
  }

  // dedupe details
  const details = text(input.dedupeDetails);
  const dedupeDetails = details !== undefined && details.trim().length > 0 ? details : undefined;
  if (dedupeDetails !== undefined && !opts.haveDedupeSecret) {
    problems.push({
      field: 'dedupeDetails',
      es: `${fieldName('dedupeDetails')}: hay datos para deduplicar pero falta --dedupe-secret`,
      en: 'dedupeDetails: dedupe details given but --dedupe-secret is missing',
    });
  }
  if (dedupeDetails !== undefined && normaliseDetails(dedupeDetails).length === 0) {
    problems.push({ field: 'dedupeDetails', es: `${fieldName('dedupeDetails')}: están vacíos`, en: 'dedupeDetails: empty' });
  }

  // supersedes
  const sup = text(input.supersedes)?.trim();
  let supersedes: string | undefined;
  if (sup) {
    if (!UUID_V4.test(sup.toLowerCase())) {
      problems.push({
        field: 'supersedes',
        es: `${fieldName('supersedes')}: "${sup}" no es un identificador UUIDv4`,
        en: `supersedes: "${sup}" is not a UUIDv4 id`,
      });
    } else supersedes = sup.toLowerCase();
  }

  if (problems.length > 0 || year === undefined) return { problems };
  const report: CheckedReport = {
    year,
    ...(quarter !== undefined ? { quarter } : {}),
    region: codes.region!,
    incidentType: codes.incidentType!,
    victimGender: codes.victimGender!,
    victimNationality: codes.victimNationality!,
    victimAgeBand: codes.victimAgeBand!,
    perpetratorType: codes.perpetratorType!,
    ...(codes.outcome !== undefined ? { outcome: codes.outcome } : {}),
    narrative,
    ...(dedupeDetails !== undefined ? { dedupeDetails } : {}),
    ...(supersedes !== undefined ? { supersedes } : {}),
  };
  return { report, problems: [] };
}

/** Lines listing the valid codes of every field that had a problem. */
export function validCodesHelp(book: CodeBook, problems: Problem[]): string[] {
  const fields = [...new Set(problems.map((p) => p.field))].filter((f): f is CategoricalField => (CATEGORICAL_FIELDS as readonly string[]).includes(f));
  return fields.map((f) => `códigos válidos / valid codes for ${f}: ${book.validList(f)}`);
}

/** Seals the narrative and computes the dedupe tag; the result is what is sent. */
export function buildBody(r: CheckedReport, stewardSealPublicKey: string, dedupeSecret?: string): ReportBody {
  const body: ReportBody = {
    year: r.year,
    ...(r.quarter !== undefined ? { quarter: r.quarter } : {}),
    region: r.region,
    incidentType: r.incidentType,
    victimGender: r.victimGender,
    victimNationality: r.victimNationality,
    victimAgeBand: r.victimAgeBand,
    perpetratorType: r.perpetratorType,
    ...(r.outcome !== undefined ? { outcome: r.outcome } : {}),
    sealedNarrative: sealNarrative(r.narrative, stewardSealPublicKey),
  };
  if (r.dedupeDetails !== undefined) {
    if (dedupeSecret === undefined) throw new Error('dedupe details without a secret');
    body.dedupeTag = dedupeTag(dedupeSecret, r.dedupeDetails);
  }
  if (r.supersedes !== undefined) body.supersedes = r.supersedes;
  return body;
}

/** The content of a checked report that its deterministic import id is derived from. */
export function canonicalRow(r: CheckedReport): string {
  return canonicalJson({ ...r });
}
