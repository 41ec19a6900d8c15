// Shapes of release requests and signatures. The published manifest (docs/release-format.md) is
// schemas/manifest.ts, which also holds the series name and release id patterns used here.
// Two methods: "suppression" (k-anonymous counts with complementary suppression) and "dp"
// (differentially private noisy counts, charged to the server's one budget).
// A DP request's rho or epsilon is bounded here, as a number or as a string alike, before anything
// is computed (dp/bounds.ts: exact reading, a minimum, and a charge of at most DP_MAX_RHO_CEILING);
// the operator's own per-release and total bounds are the ledger's (services/dp-ledger.ts).
import { z } from 'zod';
import { requestProblem, type DpUnit } from '../dp/bounds.js';
import { releaseId, seriesName } from './manifest.js';

export { releaseId, seriesName };

/** The dimensions a release table may use. */
export const RELEASE_DIMENSIONS = [
  'year',
  'quarter',
  'region',
  'incidentType',
  'victimGender',
  'victimNationality',
  'victimAgeBand',
  'perpetratorType',
  'outcome',
] as const;

const year = z.number().int().min(1990).max(2100);
/** A privacy parameter: a number, or an exact decimal / fraction string ("0.5", "1/4"), within bounds. */
const privacyAmount = (unit: DpUnit) =>
  z.union([z.number(), z.string()]).superRefine((x, ctx) => {
    const problem = requestProblem(unit, x);
    if (problem) ctx.addIssue({ code: 'custom', message: `${unit} ${problem}` });
  });

const DIMENSION_LIST = RELEASE_DIMENSIONS.join(', ');
/** A dimension of a release table, refused with a message in both languages that lists the valid ones. */
const releaseDimension = z.enum(RELEASE_DIMENSIONS, {
  error: () => `dimensión desconocida; use una de: ${DIMENSION_LIST} / unknown dimension; use one of: ${DIMENSION_LIST}`,
});

const common = {
  series: seriesName,
  filter: z.union([z.strictObject({ year }), z.strictObject({ years: z.array(year).min(1).max(50) })]),
  tables: z
    .array(
      z
        .array(releaseDimension)
        .min(1, 'una tabla necesita al menos una dimensión / a table needs at least one dimension')
        .max(4, 'a lo sumo 4 dimensiones por tabla / at most 4 dimensions per table'),
    )
    .min(1, 'pida al menos una tabla / ask for at least one table')
    .max(10, 'a lo sumo 10 tablas / at most 10 tables'),
  regionGroups: z.boolean().default(false),
};

const suppressionRequest = z.strictObject({
  ...common,
  /** At least the server's minimum (default 5); fixed for a series by its first release. */
  k: z.number().int().min(2).max(100).optional(),
  method: z.literal('suppression'),
  /**
   * "auto": when the newest data of a year would hide a headline figure (a total, a year total,
   * year × incident type) that the series' previous release published, count that year as the
   * previous release did and say so (`data[].heldBack`), until its changes can be published.
   */
  holdBack: z.enum(['none', 'auto']).default('none'),
});

const dpRequest = z.strictObject({
  ...common,
  method: z.literal('dp'),
  /** zCDP cost of this release (discrete Gaussian). Exactly one of rho / epsilon. */
  rho: privacyAmount('rho').optional(),
  /** Pure-DP parameter of this release (discrete Laplace), charged epsilon²/2. */
  epsilon: privacyAmount('epsilon').optional(),
  keepTotal: z.boolean().default(false),
});

/** `method` may be left out: it then means "suppression" (the default). */
const withDefaultMethod = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) && !('method' in v) ? { ...v, method: 'suppression' } : v);

export const releaseRequest = z.preprocess(withDefaultMethod, z.discriminatedUnion('method', [suppressionRequest, dpRequest])).superRefine((r, ctx) => {
  r.tables.forEach((t, i) => {
    if (new Set(t).size !== t.length)
      ctx.addIssue({ code: 'custom', path: ['tables', i], message: 'una dimensión aparece dos veces / a dimension appears twice' });
  });
  if (r.method === 'dp' && (r.rho === undefined) === (r.epsilon === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['rho'], message: 'a dp release needs exactly one of rho (zCDP) or epsilon (pure DP)' });
  }
});

export type ReleaseRequest = z.infer<typeof releaseRequest>;

export const releaseSignature = z.strictObject({
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'a 64-byte Ed25519 signature in base64'),
});

export const draftId = z.string().regex(/^[0-9a-f-]{36}$/, 'not a draft id');

/** The publisher's choice of the series featured on the home page (PUT /api/v1/featured). */
export const featuredRequest = z.strictObject({ series: seriesName });
export const featuredResponse = z.object({
  series: seriesName.nullable().describe('the featured series; null when nothing was published yet'),
  chosen: z.boolean().describe('true when a publisher chose it; false when it is the default (the first series ever published)'),
  release: releaseId.nullable().describe('its newest signed release, the home page headline'),
});
export type FeaturedResponse = z.infer<typeof featuredResponse>;
