// The taxonomy: the only values a report's countable fields can take (DESIGN.md, "Report").
// Coarse on purpose. Every code has a Spanish and an English label; the version changes whenever
// a code is added, removed or regrouped, and every release records the version it counted under.
// Served as-is at GET /api/v1/taxonomy; the zod schemas and the release domains derive from it.

export interface Label {
  es: string;
  en: string;
}
export interface Code {
  code: string;
  label: Label;
}

export const TAXONOMY_VERSION = '2026.1';

const c = (code: string, es: string, en: string = es): Code => ({ code, label: { es, en } });

/** ISO 3166-2:PE first-level divisions, with Lima Metropolitana separate from Lima region. */
export const regions: Code[] = [
  c('PE-LMA', 'Lima Metropolitana', 'Metropolitan Lima'),
  c('PE-CAL', 'Callao'),
  c('PE-LIM', 'Lima (región)', 'Lima (region)'),
  c('PE-AMA', 'Amazonas'),
  c('PE-ANC', 'Áncash', 'Ancash'),
  c('PE-APU', 'Apurímac', 'Apurimac'),
  c('PE-ARE', 'Arequipa'),
  c('PE-AYA', 'Ayacucho'),
  c('PE-CAJ', 'Cajamarca'),
  c('PE-CUS', 'Cusco'),
  c('PE-HUV', 'Huancavelica'),
  c('PE-HUC', 'Huánuco', 'Huanuco'),
  c('PE-ICA', 'Ica'),
  c('PE-JUN', 'Junín', 'Junin'),
  c('PE-LAL', 'La Libertad'),
  c('PE-LAM', 'Lambayeque'),
  c('PE-LOR', 'Loreto'),
  c('PE-MDD', 'Madre de Dios'),
  c('PE-MOQ', 'Moquegua'),
  c('PE-PAS', 'Pasco'),
  c('PE-PIU', 'Piura'),
  c('PE-PUN', 'Puno'),
  c('PE-SAM', 'San Martín', 'San Martin'),
  c('PE-TAC', 'Tacna'),
  c('PE-TUM', 'Tumbes'),
  c('PE-UCA', 'Ucayali'),
  c('unknown', 'Desconocida', 'Unknown'),
];

/** Region groups, for releases that publish a coarser level (a hierarchy: total → group → region). */
export const regionGroups: Array<Code & { members: string[] }> = [
  { ...c('lima-callao', 'Lima y Callao', 'Lima and Callao'), members: ['PE-LMA', 'PE-CAL', 'PE-LIM'] },
  { ...c('costa', 'Costa (resto)', 'Coast (rest)'), members: ['PE-ANC', 'PE-ICA', 'PE-LAL', 'PE-LAM', 'PE-MOQ', 'PE-PIU', 'PE-TAC', 'PE-TUM', 'PE-ARE'] },
  { ...c('sierra', 'Sierra', 'Highlands'), members: ['PE-APU', 'PE-AYA', 'PE-CAJ', 'PE-CUS', 'PE-HUV', 'PE-HUC', 'PE-JUN', 'PE-PAS', 'PE-PUN'] },
  { ...c('selva', 'Selva', 'Amazon'), members: ['PE-AMA', 'PE-LOR', 'PE-MDD', 'PE-SAM', 'PE-UCA'] },
  { ...c('unknown', 'Desconocida', 'Unknown'), members: ['unknown'] },
];

export const incidentTypes: Code[] = [
  c('homicide', 'Homicidio / asesinato', 'Homicide'),
  c('disappearance', 'Desaparición', 'Disappearance'),
  c('attempted-homicide', 'Intento de homicidio', 'Attempted homicide'),
  c('kidnapping', 'Secuestro', 'Kidnapping'),
  c('extortion', 'Extorsión (cobro de cupos)', 'Extortion (protection payments)'),
  c('threat', 'Amenaza', 'Threat'),
  c('physical-assault', 'Agresión física', 'Physical assault'),
  c('sexual-violence', 'Violencia sexual', 'Sexual violence'),
  c('trafficking', 'Trata / servidumbre por deudas', 'Trafficking / debt bondage'),
  c('state-abuse', 'Abuso policial o del serenazgo', 'Police or municipal guard abuse'),
  c('other', 'Otro', 'Other'),
];

export const victimGenders: Code[] = [
  c('cis-woman', 'Mujer cis', 'Cis woman'),
  c('trans-woman', 'Mujer trans', 'Trans woman'),
  c('man', 'Hombre', 'Man'),
  c('non-binary', 'No binarie', 'Non-binary'),
  c('unknown', 'Desconocido', 'Unknown'),
];

/** ISO 3166-1 alpha-2 codes seen in this field, plus `other` and `unknown`. */
export const victimNationalities: Code[] = [
  c('PE', 'Perú', 'Peru'),
  c('VE', 'Venezuela'),
  c('CO', 'Colombia'),
  c('EC', 'Ecuador'),
  c('BO', 'Bolivia'),
  c('CL', 'Chile'),
  c('AR', 'Argentina'),
  c('BR', 'Brasil', 'Brazil'),
  c('PY', 'Paraguay'),
  c('DO', 'República Dominicana', 'Dominican Republic'),
  c('HT', 'Haití', 'Haiti'),
  c('CU', 'Cuba'),
  c('other', 'Otra', 'Other'),
  c('unknown', 'Desconocida', 'Unknown'),
];

export const victimAgeBands: Code[] = [
  c('under-18', 'Menor de 18', 'Under 18'),
  c('18-24', '18–24'),
  c('25-34', '25–34'),
  c('35-44', '35–44'),
  c('45-plus', '45 o más', '45 and over'),
  c('unknown', 'Desconocida', 'Unknown'),
];

export const perpetratorTypes: Code[] = [
  c('criminal-organisation', 'Organización criminal', 'Criminal organisation'),
  c('client', 'Cliente', 'Client'),
  c('police', 'Policía', 'Police'),
  c('municipal-security', 'Serenazgo / seguridad municipal', 'Municipal security'),
  c('partner-acquaintance', 'Pareja o conocido', 'Partner or acquaintance'),
  c('other', 'Otro', 'Other'),
  c('unknown', 'Desconocido', 'Unknown'),
];

/** Only for disappearances. */
export const outcomes: Code[] = [
  c('still-missing', 'Sigue desaparecida', 'Still missing'),
  c('found-alive', 'Encontrada con vida', 'Found alive'),
  c('found-dead', 'Encontrada sin vida', 'Found dead'),
  c('unknown', 'Desconocido', 'Unknown'),
];

export const quarters: Code[] = [c('1', 'Ene–Mar', 'Jan–Mar'), c('2', 'Abr–Jun', 'Apr–Jun'), c('3', 'Jul–Sep'), c('4', 'Oct–Dic', 'Oct–Dec')];

/** The countable dimensions: report field → codes. `year` is open-ended and handled apart. */
export const dimensions = {
  region: regions,
  incidentType: incidentTypes,
  victimGender: victimGenders,
  victimNationality: victimNationalities,
  victimAgeBand: victimAgeBands,
  perpetratorType: perpetratorTypes,
  outcome: outcomes,
} as const;

export const codesOf = (list: Code[]): [string, ...string[]] => list.map((x) => x.code) as [string, ...string[]];

export const MIN_YEAR = 1990;

export function taxonomyDocument() {
  return {
    version: TAXONOMY_VERSION,
    fields: {
      year: { label: { es: 'Año', en: 'Year' }, min: MIN_YEAR, max: 'current year' },
      quarter: { label: { es: 'Trimestre', en: 'Quarter' }, codes: quarters, optional: true },
      region: { label: { es: 'Región', en: 'Region' }, codes: regions, groups: regionGroups },
      incidentType: { label: { es: 'Tipo de hecho', en: 'Incident type' }, codes: incidentTypes },
      victimGender: { label: { es: 'Género de la víctima', en: "Victim's gender" }, codes: victimGenders },
      victimNationality: { label: { es: 'Nacionalidad de la víctima', en: "Victim's nationality" }, codes: victimNationalities },
      victimAgeBand: { label: { es: 'Edad de la víctima', en: "Victim's age" }, codes: victimAgeBands },
      perpetratorType: { label: { es: 'Presunto agresor', en: 'Alleged perpetrator' }, codes: perpetratorTypes },
      outcome: {
        label: { es: 'Desenlace (solo desapariciones)', en: 'Outcome (disappearances only)' },
        codes: outcomes,
        onlyFor: { incidentType: 'disappearance' },
      },
    },
  };
}
