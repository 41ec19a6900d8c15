// Shapes of the steward's routes over members and dedupe conflicts (routes/steward.ts): request
// parameters, bodies and queries (strict: unknown fields refused) and the answers. A conflict
// lists reports by id and countable fields only: no shape here has a place for a member key id.
import { z } from 'zod';
import { uuidV4 } from './report.js';

/** A member's key id as the server makes them at enrolment (`m-` and 16 base64url characters). */
export const memberKeyId = z
  .string()
  .regex(/^m-[A-Za-z0-9_-]{16}$/, 'not a member key id')
  .describe('member key id');

/** A dedupe tag: 64 lowercase hex characters (HMAC under the coalition's dedupe secret). */
export const dedupeTag = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters')
  .describe('dedupe tag');

/** Quarantine takes no fields: an empty body or `{}`. */
export const quarantineRequest = z.strictObject({});

export const quarantineResponse = z.object({
  keyId: memberKeyId,
  quarantined: z.boolean().describe('true: the member’s reports do not count from the next release on; the key may still sign'),
});

export const organisationRequest = z.strictObject({
  sameAs: memberKeyId.describe('a key of the organisation this key (and every key already with it) belongs to'),
});

export const organisationResponse = z.object({
  keyId: memberKeyId,
  sameOrganisationAs: memberKeyId.describe('from the next release on, the two keys’ reports are one organisation’s in the holdings rule'),
});

export const conflictsQuery = z.strictObject({
  cursor: dedupeTag.optional().describe('the last tag of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** The fields a dedupe conflict is about: those a release counts (services/conflicts.ts). */
export const conflictReport = z
  .object({
    id: uuidV4,
    year: z.number().int(),
    quarter: z.number().int().nullable(),
    region: z.string(),
    incidentType: z.string(),
    victimGender: z.string(),
    victimNationality: z.string(),
    victimAgeBand: z.string(),
    perpetratorType: z.string(),
    outcome: z.string().nullable(),
  })
  .describe('One active report of the tag: its id and countable fields, never its submitter.');

export const conflict = z.object({
  tag: dedupeTag,
  differ: z.array(z.string()).describe('the countable fields on which the reports disagree'),
  chosenReportId: uuidV4.nullable().describe('the steward’s choice, while it applies (its report active and counted); null otherwise'),
  reports: z.array(conflictReport).min(2),
});

export const conflictsPage = z.object({ items: z.array(conflict), nextCursor: dedupeTag.nullable() });

export const resolveRequest = z.strictObject({
  reportId: uuidV4.describe('one of the tag’s active reports, whose values are to count'),
});

export const resolveResponse = z.object({ tag: dedupeTag, reportId: uuidV4 });
