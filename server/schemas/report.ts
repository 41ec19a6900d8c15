// The shape of an incident report as submitted (PUT /api/v1/reports/:id) — the single source of
// its TypeScript type and of its OpenAPI description. Strict: unknown fields are refused, every
// categorical value must be a taxonomy code, the narrative must be a plausible sealed box of one
// of the padding sizes (so plaintext cannot slip through), and `outcome` exists only for
// disappearances.
import { z } from 'zod';
import { isPlausibleSealedNarrative } from '../../crypto/index.js';
import {
  MIN_YEAR,
  codesOf,
  incidentTypes,
  outcomes,
  perpetratorTypes,
  regions,
  victimAgeBands,
  victimGenders,
  victimNationalities,
} from '../taxonomy/taxonomy.js';

export const uuidV4 = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'must be a lowercase UUIDv4');

export const reportBody = z
  .strictObject({
    year: z
      .number()
      .int()
      .min(MIN_YEAR)
      .refine((y) => y <= new Date().getUTCFullYear(), 'year is in the future'),
    quarter: z.number().int().min(1).max(4).optional(),
    region: z.enum(codesOf(regions)),
    incidentType: z.enum(codesOf(incidentTypes)),
    victimGender: z.enum(codesOf(victimGenders)),
    victimNationality: z.enum(codesOf(victimNationalities)),
    victimAgeBand: z.enum(codesOf(victimAgeBands)),
    perpetratorType: z.enum(codesOf(perpetratorTypes)),
    outcome: z.enum(codesOf(outcomes)).optional(),
    sealedNarrative: z.string().max(100_000).refine(isPlausibleSealedNarrative, 'must be a sealed, padded narrative (base64)'),
    dedupeTag: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters')
      .optional(),
    supersedes: uuidV4.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.incidentType === 'disappearance' && r.outcome === undefined) {
      ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'outcome is required for a disappearance (use "unknown")' });
    }
    if (r.incidentType !== 'disappearance' && r.outcome !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'outcome is only for disappearances' });
    }
  });

export type ReportBody = z.infer<typeof reportBody>;

export const reportStatus = z.enum(['active', 'withdrawn', 'superseded']);

export const receipt = z.object({
  reportId: uuidV4,
  reportHash: z.string().regex(/^[0-9a-f]{64}$/),
  keyId: z.string(),
  signature: z.string(),
});

export const reportState = z.object({
  id: uuidV4,
  status: reportStatus,
  reportHash: z.string(),
  supersedes: uuidV4.nullable(),
  supersededBy: uuidV4.nullable(),
});

export const pageQuery = z.strictObject({
  cursor: uuidV4.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Pages of inclusion proofs are smaller: each proof is computed on request. */
export const proofPageQuery = z.strictObject({
  cursor: uuidV4.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const stewardReport = reportBody
  .safeExtend({ id: uuidV4, status: reportStatus })
  .describe('A stored report as the steward downloads it: categorical fields and the sealed narrative, no submitter.');

/** Withdrawal takes no fields: an empty body or `{}`. */
export const withdrawRequest = z.strictObject({});
