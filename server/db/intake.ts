// intake.ts — the intake transaction's steps: their order and the refusal each one can give, for
// every Store (store.ts, header). `intakeSteps` is the decision; it asks for each database
// operation by name and gets its answer back. SQLite runs it on the writer thread, synchronously
// inside a better-sqlite3 transaction (`runIntakeSync`, with `INTAKE_SQL`, one statement per step).
// PostgreSQL runs the same steps, in the same order with the same refusals, as one stored function
// (migrations 0013 and 0014, called by pg-intake.ts), so a submission is one round trip there.
// Guarantees: a refusal is returned as `{ error }` and the driver rolls the whole submission back
// (nonce included); `{ created: false }` (the same report again) commits the consumed nonce only.
// test/db/store-contract.test.ts runs every case on both Stores, so the two cannot drift apart.
import type { RefusalCode, ReportRow, WriteOutcome } from './report-row.js';
import type { NonceRow } from './store.js';

/** The operations the steps ask for, with their answers. */
export interface IntakeOps {
  /** Inserts the nonce; true when it was not there (fresh). */
  consumeNonce(nonce: NonceRow): boolean;
  /** The member's revocation flag, or null when there is no such member. */
  memberRevoked(keyId: string): boolean | null;
  existing(id: string): { memberKeyId: string; reportHash: string } | null;
  /** Marks the member's active report `id` superseded; true when one row changed. */
  supersede(id: string, keyId: string): boolean;
  /** Whether `id` is one of the member's reports, whatever its status. */
  ownReportExists(id: string, keyId: string): boolean;
  insert(row: ReportRow): void;
}

type Call = { [K in keyof IntakeOps]: { op: K; args: Parameters<IntakeOps[K]> } }[keyof IntakeOps];

/** The steps, in order (see header); each `yield` is one operation, its result sent back. */
export function* intakeSteps(nonce: NonceRow, row: ReportRow): Generator<Call, WriteOutcome, unknown> {
  // 1. the nonce: a replay is refused before anything else is looked at
  if (!(yield { op: 'consumeNonce', args: [nonce] })) return { error: 'replayed_nonce' };
  // 2. the member, again inside the transaction: a key revoked since authentication is refused
  const revoked = yield { op: 'memberRevoked', args: [row.memberKeyId] };
  if (revoked === null || revoked) return { error: 'key_revoked' };
  // 3. idempotency on the client-chosen id
  const existing = (yield { op: 'existing', args: [row.id] }) as { memberKeyId: string; reportHash: string } | null;
  if (existing) {
    if (existing.memberKeyId !== row.memberKeyId) return { error: 'report_id_taken' };
    return existing.reportHash === row.reportHash ? { created: false } : { error: 'report_conflict' };
  }
  // 4. an amendment replaces one of the member's own active reports
  if (row.supersedes !== null && !(yield { op: 'supersede', args: [row.supersedes, row.memberKeyId] })) {
    return { error: (yield { op: 'ownReportExists', args: [row.supersedes, row.memberKeyId] }) ? 'report_not_active' : 'report_not_found' };
  }
  // 5. the report itself
  yield { op: 'insert', args: [row] };
  return { created: true };
}

/** Thrown by the drivers to roll a refused submission back; carries its code. */
export class IntakeRefusal extends Error {
  constructor(readonly code: RefusalCode) {
    super(code);
  }
}

function invoke(ops: object, call: Call): unknown {
  return (ops as Record<string, (...a: unknown[]) => unknown>)[call.op]!(...call.args);
}

/** Runs the steps with synchronous operations; throws IntakeRefusal on a refusal (to roll back). */
export function runIntakeSync(ops: IntakeOps, nonce: NonceRow, row: ReportRow): WriteOutcome {
  const steps = intakeSteps(nonce, row);
  let next = steps.next();
  while (!next.done) next = steps.next(invoke(ops, next.value));
  if ('error' in next.value) throw new IntakeRefusal(next.value.error);
  return next.value;
}

/** The Report columns an insert writes, in order (status is always 'active'). */
export const REPORT_COLUMNS = [
  'id',
  'memberKeyId',
  'year',
  'quarter',
  'region',
  'incidentType',
  'victimGender',
  'victimNationality',
  'victimAgeBand',
  'perpetratorType',
  'outcome',
  'sealedNarrative',
  'dedupeTag',
  'supersedes',
  'reportHash',
] as const satisfies ReadonlyArray<keyof ReportRow>;

/** One statement per operation, valid on SQLite and PostgreSQL (positional `?` parameters). */
export const INTAKE_SQL: Record<keyof IntakeOps, string> = {
  consumeNonce: 'INSERT INTO "Nonce" ("hash", "expiresAt") VALUES (?, ?) ON CONFLICT DO NOTHING',
  memberRevoked: 'SELECT "revoked" FROM "Member" WHERE "keyId" = ?',
  existing: 'SELECT "memberKeyId", "reportHash" FROM "Report" WHERE "id" = ?',
  supersede: `UPDATE "Report" SET "status" = 'superseded' WHERE "id" = ? AND "memberKeyId" = ? AND "status" = 'active'`,
  ownReportExists: 'SELECT 1 AS "one" FROM "Report" WHERE "id" = ? AND "memberKeyId" = ?',
  insert: `INSERT INTO "Report" (${REPORT_COLUMNS.map((c) => `"${c}"`).join(', ')}, "status") VALUES (${REPORT_COLUMNS.map(() => '?').join(', ')}, 'active')`,
};

/** A row's values in REPORT_COLUMNS order. */
export function reportValues(row: ReportRow): unknown[] {
  return REPORT_COLUMNS.map((c) => row[c]);
}

/** `?` → `$1`, `$2`, … (PostgreSQL's placeholders). */
export function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}
