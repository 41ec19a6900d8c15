// The row a submission writes, and the outcomes of writing it — shared by every Store's intake
// (store.ts, intake.ts), so all decide the same way.
import { RELEASE_DIMENSIONS } from '../schemas/release.js';

export interface ReportRow {
  id: string;
  memberKeyId: string;
  year: number;
  quarter: number | null;
  region: string;
  incidentType: string;
  victimGender: string;
  victimNationality: string;
  victimAgeBand: string;
  perpetratorType: string;
  outcome: string | null;
  sealedNarrative: string;
  dedupeTag: string | null;
  supersedes: string | null;
  reportHash: string;
}

export type RefusalCode =
  | 'replayed_nonce'
  | 'key_revoked'
  | 'report_conflict'
  | 'report_not_active'
  | 'report_not_found'
  /** the id is another member's report: answered exactly as a report that does not exist (404) */
  | 'report_id_taken';

/** The outcome of one submission: stored (`created`), stored already (the same report), or refused. */
export type WriteOutcome = { created: boolean } | { error: RefusalCode };

/** The fields a release counts, on which the reports under one dedupe tag must agree. */
export const COUNTABLE_FIELDS = RELEASE_DIMENSIONS;
export type CountableField = (typeof COUNTABLE_FIELDS)[number];
