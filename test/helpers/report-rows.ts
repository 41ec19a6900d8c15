// Store-level test data: a report row as the intake writes it, and a fresh consumed-nonce row, for
// suites that call a Store's or the PostgreSQL intake's `submit` directly (below HTTP).
import { randomBytes, randomUUID } from 'node:crypto';
import type { ReportRow } from '../../server/db/report-row.js';

export const hex = (): string => randomBytes(32).toString('hex');

/** A fresh nonce row (sha256-like hash, an expiry far in the future). */
export const nonce = (): { hash: string; expiresAt: number } => ({ hash: hex(), expiresAt: 1_900_000_200 });

/** A valid report row of `memberKeyId` with a fresh id and hash; `over` replaces fields. */
export function reportRow(memberKeyId: string, over: Partial<ReportRow> = {}): ReportRow {
  return {
    id: randomUUID(),
    memberKeyId,
    year: 2023,
    quarter: null,
    region: 'PE-LMA',
    incidentType: 'homicide',
    victimGender: 'trans-woman',
    victimNationality: 'VE',
    victimAgeBand: '25-34',
    perpetratorType: 'criminal-organisation',
    outcome: null,
    sealedNarrative: randomBytes(120).toString('base64'),
    dedupeTag: null,
    supersedes: null,
    reportHash: hex(),
    ...over,
  };
}
