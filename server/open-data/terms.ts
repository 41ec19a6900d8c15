// terms.ts — the licence and the citation of every published release, set by the operator
// (server/config.ts: CONTAMOS_COALITION_NAME, CONTAMOS_LICENSE, CONTAMOS_LICENSE_URL,
// CONTAMOS_LICENSE_TITLE, CONTAMOS_CITATION, CONTAMOS_PUBLIC_URL).
//
// Guarantees:
// - Defaults: Creative Commons Attribution 4.0 (CC-BY-4.0) and the coalition's name as author.
// - One place makes the citation of a release; the page, the CSV (its data package), the data
//   package and the zip all show the same text for the same release.
// - A citation template may use only {coalition} {title} {id} {series} {date} {year} {hash}
//   {url}; anything else in braces is left as written (no code runs, no value is looked up).
// - Nothing here is part of the signed manifest: the licence and the citation are the operator's
//   terms of reuse, shown beside the signed figures, and changing them changes no hash.

export interface Licence {
  /** SPDX identifier, e.g. "CC-BY-4.0". */
  id: string;
  title: string;
  /** Absolute URL of the licence text, or null when the operator gave none. */
  url: string | null;
}

export interface Terms {
  coalition: string;
  licence: Licence;
  /** Citation template (see header). */
  citation: string;
  /** The site's public origin, e.g. "https://contamos.example" (no trailing slash), or null. */
  publicUrl: string | null;
}

/** Licences an operator is likely to choose, so that an SPDX id alone is enough. */
export const KNOWN_LICENCES: Record<string, { title: string; url: string }> = {
  'CC-BY-4.0': { title: 'Creative Commons Attribution 4.0 International', url: 'https://creativecommons.org/licenses/by/4.0/' },
  'CC-BY-SA-4.0': { title: 'Creative Commons Attribution-ShareAlike 4.0 International', url: 'https://creativecommons.org/licenses/by-sa/4.0/' },
  'CC0-1.0': { title: 'Creative Commons Zero v1.0 Universal', url: 'https://creativecommons.org/publicdomain/zero/1.0/' },
  'ODbL-1.0': { title: 'Open Data Commons Open Database License v1.0', url: 'https://opendatacommons.org/licenses/odbl/1-0/' },
  'PDDL-1.0': { title: 'Open Data Commons Public Domain Dedication and License v1.0', url: 'https://opendatacommons.org/licenses/pddl/1-0/' },
  'ODC-By-1.0': { title: 'Open Data Commons Attribution License v1.0', url: 'https://opendatacommons.org/licenses/by/1-0/' },
};

export const DEFAULT_COALITION = 'Coalición Contamos';
export const DEFAULT_LICENCE_ID = 'CC-BY-4.0';
export const DEFAULT_CITATION = '{coalition} ({year}). {title}. Publicación {id}, {date}. SHA-256 {hash}. {url}';

export interface TermsInput {
  coalition?: string;
  licence?: string;
  licenceTitle?: string;
  licenceUrl?: string;
  citation?: string;
  publicUrl?: string;
}

export function termsOf(input: TermsInput = {}): Terms {
  const id = input.licence?.trim() || DEFAULT_LICENCE_ID;
  const known = KNOWN_LICENCES[id];
  return {
    coalition: input.coalition?.trim() || DEFAULT_COALITION,
    licence: { id, title: input.licenceTitle?.trim() || known?.title || id, url: input.licenceUrl?.trim() || known?.url || null },
    citation: input.citation?.trim() || DEFAULT_CITATION,
    publicUrl: input.publicUrl?.trim().replace(/\/+$/, '') || null,
  };
}

export interface CitedRelease {
  id: string;
  series: string;
  publishedOn: string;
  hash: string;
}

/** The title of a release as cited: "Violencia contra trabajadoras sexuales en el Perú: serie S". */
export function releaseTitle(r: { series: string }): string {
  return `Violencia contra trabajadoras sexuales en el Perú (serie ${r.series})`;
}

/** Where a release is read: absolute when the operator set CONTAMOS_PUBLIC_URL, else a path. */
export function releaseUrl(terms: Terms, id: string): string {
  return `${terms.publicUrl ?? ''}/estadisticas/${id}`;
}

export function citationOf(terms: Terms, r: CitedRelease): string {
  const values: Record<string, string> = {
    coalition: terms.coalition,
    title: releaseTitle(r),
    id: r.id,
    series: r.series,
    date: r.publishedOn,
    year: r.publishedOn.slice(0, 4),
    hash: r.hash,
    url: releaseUrl(terms, r.id),
  };
  return terms.citation.replace(/\{([a-z]+)\}/g, (all, name: string) => values[name] ?? all);
}

/** One line for the top of a text download: licence, and how to cite. */
export function licenceLine(terms: Terms): string {
  return `${terms.licence.title} (${terms.licence.id})${terms.licence.url ? ` ${terms.licence.url}` : ''}`;
}
