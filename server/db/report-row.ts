// The row a submission writes, and the outcomes of writing it — shared by the two report writers
// (Prisma on PostgreSQL, better-sqlite3 on SQLite) so both decide the same way.
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

export type RefusalCode = 'replayed_nonce' | 'key_revoked' | 'report_conflict' | 'report_not_active' | 'report_not_found';

export type WriteOutcome = { created: boolean } | { error: RefusalCode };
