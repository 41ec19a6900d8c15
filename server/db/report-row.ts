// The row a submission writes, and the outcomes of writing it — shared by the two report writers
// (a stored function on PostgreSQL, db/pg-intake.ts; better-sqlite3 on SQLite) so both decide the
// same way.
import type { Receipt } from '../../crypto/index.js';

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
  | 'replayed_nonce' | 'key_revoked' | 'report_conflict' | 'report_not_active' | 'report_not_found'
  /** the id is another member's report: answered exactly as a report that does not exist (404) */
  | 'report_id_taken';

/** `receipt` is present when the writer signed it itself (the SQLite writer thread, after the commit). */
export type WriteOutcome = { created: boolean; receipt?: Receipt } | { error: RefusalCode };

/** What the SQLite writer thread does besides writing: the receipt, after the commit. */
export interface WriteExtras {
  receiptKey?: { keyId: string; secretKey: string };
}
