// i18n.ts — the language of a page and the labels of taxonomy codes.
//
// Guarantees: Spanish is the default; `?lang=en` (and only that) selects English. Every taxonomy
// code gets its label from the taxonomy (server/taxonomy/taxonomy.ts, the same document served at
// /api/v1/taxonomy), including region groups; the special codes of releases ("*" total,
// "unknown", "not-applicable") have fixed labels; an unknown code is shown as itself.
import type { Request } from 'express';
import { taxonomyDocument } from '../taxonomy/taxonomy.js';

export type Lang = 'es' | 'en';

export function langOf(req: Request): Lang {
  return req.query.lang === 'en' ? 'en' : 'es';
}

/** `path` with `?lang=en` when the page is in English (links keep the reader's language). */
export function withLang(path: string, lang: Lang): string {
  if (lang === 'es') return path;
  return `${path}${path.includes('?') ? '&' : '?'}lang=en`;
}

const SPECIAL: Record<string, { es: string; en: string }> = {
  '*': { es: 'Total', en: 'Total' },
  unknown: { es: 'Desconocido', en: 'Unknown' },
  'not-applicable': { es: 'No aplica', en: 'Not applicable' },
};

type Labels = Map<string, Map<string, { es: string; en: string }>>;
let cache: { labels: Labels; fields: Map<string, { es: string; en: string }> } | undefined;

function tables() {
  if (cache) return cache;
  const doc = taxonomyDocument();
  const labels: Labels = new Map();
  const fields = new Map<string, { es: string; en: string }>();
  for (const [field, def] of Object.entries(doc.fields)) {
    fields.set(field, def.label);
    const m = new Map<string, { es: string; en: string }>();
    const d = def as {
      codes?: Array<{ code: string; label: { es: string; en: string } }>;
      groups?: Array<{ code: string; label: { es: string; en: string } }>;
    };
    for (const c of d.codes ?? []) m.set(c.code, c.label);
    for (const g of d.groups ?? []) if (!m.has(g.code)) m.set(g.code, g.label);
    labels.set(field, m);
  }
  cache = { labels, fields };
  return cache;
}

/** Label of a code of a dimension (e.g. region "PE-LMA" → "Lima Metropolitana"). */
export function codeLabel(dimension: string, code: string, lang: Lang): string {
  const own = tables().labels.get(dimension)?.get(code);
  if (own) return own[lang];
  const special = SPECIAL[code];
  if (special) return special[lang];
  return code;
}

/** Label of a dimension (e.g. "victimGender" → "Género de la víctima"). */
export function dimensionLabel(dimension: string, lang: Lang): string {
  return tables().fields.get(dimension)?.[lang] ?? dimension;
}

/** Spanish and English text side by side in code: `t(lang, 'hola', 'hello')`. */
export function t(lang: Lang, es: string, en: string): string {
  return lang === 'en' ? en : es;
}

/** A number written the reader's way (es-PE: 1 234; en: 1,234). */
// One formatter per language: making an Intl.NumberFormat costs far more than using one, and the
// statistics page formats every cell (measured in bench:soak's flood phase, issue 16).
const NUMBER_FORMATS = { en: new Intl.NumberFormat('en-GB'), es: new Intl.NumberFormat('es-PE') };

export function formatNumber(n: number, lang: Lang): string {
  return (lang === 'en' ? NUMBER_FORMATS.en : NUMBER_FORMATS.es).format(n);
}
