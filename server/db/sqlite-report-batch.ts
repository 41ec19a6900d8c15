// The intake write path on SQLite, through better-sqlite3 directly (the driver Prisma's adapter
// itself uses) instead of the Prisma client. Measured here: a Prisma interactive transaction costs
// ~480 µs and a compiled findUnique ~360 µs of main-thread time, against ~20 µs for the same work
// with prepared statements (see `npm run bench:intake`). The steps and their statements are
// intake.ts's, shared with the PostgreSQL store; test/db/store-contract.test.ts runs on both.
// This class is synchronous: it runs on the writer thread (sqlite-writer-worker.ts), which the
// main thread talks to through sqlite-fast-path.ts.
// Guarantees: each submission is all or nothing (nonce consumed, revocation re-checked,
// idempotency decided, report written) inside its own SAVEPOINT; a batch shares one transaction
// and one fsync (group commit), and `writeBatch` returns only once that commit is durable
// (synchronous=FULL, WAL). A refused submission rolls back to its savepoint and leaves the others
// in the batch untouched; an error that aborts the transaction fails the whole batch (nothing of
// it is stored).
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { ReportRow, WriteOutcome } from './report-row.js';
import type { NonceRow } from './store.js';
import { INTAKE_SQL, IntakeRefusal, runIntakeSync, reportValues, type IntakeOps } from './intake.js';
import { commitPointSync } from '../test-hooks.js';

/** WAL size (pages) past which the writer checkpoints itself (see the constructor). */
export const WRITER_SAFETY_CHECKPOINT_PAGES = 100_000;

export interface Submission {
  nonce: NonceRow;
  row: ReportRow;
}
/** Per submission: its outcome, or the error that failed it. */
export type BatchResult = { ok: WriteOutcome } | { failed: unknown };

export class SqliteReportBatch {
  /** The writer's own connection. */
  readonly db: Database.Database;
  private readonly submitOne: (nonce: NonceRow, row: ReportRow) => WriteOutcome;

  constructor(file: string) {
    this.db = new Database(file, { timeout: 5000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    // Each submission's SAVEPOINT needs a statement journal; by default SQLite writes it to a new
    // temporary file per batch, which measured as more page writes than the WAL itself. In memory
    // it only serves rollbacks inside the open transaction (durability comes from the WAL).
    this.db.pragma('temp_store = MEMORY');
    // Checkpoints are the checkpointer thread's job (sqlite-checkpointer-thread.mjs), so this
    // connection does not stop writing to run one. This is only a safety net, should that thread
    // fall behind or fail: past ~400 MB of WAL the writer checkpoints itself.
    this.db.pragma(`wal_autocheckpoint = ${WRITER_SAFETY_CHECKPOINT_PAGES}`);
    const q = Object.fromEntries(Object.entries(INTAKE_SQL).map(([op, sql]) => [op, this.db.prepare(sql)])) as Record<keyof typeof INTAKE_SQL, Statement>;
    // The steps of intake.ts over these statements (one per step).
    const ops: IntakeOps = {
      consumeNonce: (n) => q.consumeNonce.run(n.hash, n.expiresAt).changes === 1,
      memberRevoked: (keyId) => {
        const m = q.memberRevoked.get(keyId) as { revoked: number } | undefined;
        return m ? m.revoked !== 0 : null;
      },
      existing: (id) => (q.existing.get(id) as { memberKeyId: string; reportHash: string } | undefined) ?? null,
      supersede: (id, keyId) => q.supersede.run(id, keyId).changes === 1,
      ownReportExists: (id, keyId) => q.ownReportExists.get(id, keyId) !== undefined,
      insert: (row) => {
        q.insert.run(...reportValues(row));
      },
    };
    // A refusal throws IntakeRefusal inside the (nested) transaction function, so better-sqlite3
    // rolls back to this submission's savepoint only.
    this.submitOne = this.db.transaction((nonce: NonceRow, row: ReportRow): WriteOutcome => runIntakeSync(ops, nonce, row));
  }

  /** Writes a batch in one transaction (see header). Throws only if the batch as a whole failed. */
  writeBatch(batch: readonly Submission[]): BatchResult[] {
    const results: BatchResult[] = [];
    // Outer transaction: one commit (one fsync) for the whole batch; each submitOne call is a
    // savepoint inside it (better-sqlite3 nests transaction functions as savepoints).
    this.db
      .transaction(() => {
        for (const item of batch) {
          try {
            results.push({ ok: this.submitOne(item.nonce, item.row) });
          } catch (e) {
            // SQLite may roll back the whole transaction on some errors (disk full, I/O): then
            // nothing of the batch is stored and every submission in it fails with that error.
            if (!(e instanceof IntakeRefusal) && !this.db.inTransaction) throw e;
            // otherwise only its savepoint is rolled back and the rest of the batch goes on
            results.push(e instanceof IntakeRefusal ? { ok: { error: e.code } } : { failed: e });
          }
        }
        commitPointSync('report-batch'); // test-only pause before the COMMIT (off in production)
      })
      .immediate();
    return results;
  }

  close(): void {
    this.db.close();
  }
}
