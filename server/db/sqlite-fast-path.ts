// The intake hot path on SQLite, seen from the main thread: member-key lookups on a read
// connection of its own (WAL readers never wait for the writer), and report writes handed to the
// writer thread (sqlite-writer-worker.ts, SqliteReportBatch), which commits them in groups, and
// WAL checkpoints to a checkpointer thread (sqlite-checkpointer-thread.mjs) so that the writer
// never pauses for one. It is the fast half of sqlite-store.ts.
// Why a thread: with synchronous=FULL every commit waits for an fsync, measured at ~18% of the
// main thread's time per submission when done inline (`npm run bench:intake`).
// Guarantees: `submit` resolves only once the report's transaction is durable on disk, with the
// outcomes of intake.ts's steps (those of every Store); it rejects with an error that
// db/errors.ts classifies (SQLite's own code and message, nothing else) when the write
// failed — nothing of that submission is stored then. If the writer thread dies, every pending
// submission is rejected (none was acknowledged) and the next one starts a new thread.
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import type { ReportRow, WriteOutcome } from './report-row.js';
import { ThreadCalls } from './thread-calls.js';

/** How often the checkpointer thread copies the WAL into the database file. */
export const CHECKPOINT_INTERVAL_MS = 500;

export class SqliteFastPath {
  /** The main thread's read connection. */
  readonly db: Database.Database;
  private readonly memberStmt: Statement;
  private readonly nonceStmt: Statement;
  /** The writer thread (its calls; fault-injection tests terminate `writer.worker`). */
  readonly writer: ThreadCalls;
  private readonly checkpointer: Worker;
  private closed = false;

  constructor(file: string) {
    this.db = new Database(file, { timeout: 5000 });
    this.db.pragma('journal_mode = WAL');
    this.memberStmt = this.db.prepare('SELECT publicKey, revoked FROM "Member" WHERE keyId = ?');
    this.nonceStmt = this.db.prepare('SELECT 1 FROM "Nonce" WHERE hash = ?');
    this.writer = new ThreadCalls(
      new URL('./sqlite-writer-thread.mjs', import.meta.url),
      { file },
      {
        closed: 'SQLITE_CANTOPEN: the database is closed',
        stopped: (why) => `SQLITE_IOERR: the writer thread stopped (${why})`,
      },
    );
    this.writer.thread();
    this.checkpointer = new Worker(new URL('./sqlite-checkpointer-thread.mjs', import.meta.url), {
      workerData: { file, intervalMs: CHECKPOINT_INTERVAL_MS },
      execArgv: [],
    });
    // If it ever stops, the writer's own safety-net checkpoint bounds the WAL (sqlite-report-batch.ts).
    this.checkpointer.on('error', () => undefined);
    this.checkpointer.unref();
  }

  /** Whether a nonce row exists (a replay), read without writing: see http/rate-limit.ts. */
  nonceSeen(hash: string): boolean {
    return this.nonceStmt.get(hash) !== undefined;
  }

  memberKey(keyId: string): { publicKey: string; revoked: boolean } | null {
    const r = this.memberStmt.get(keyId) as { publicKey: string; revoked: number } | undefined;
    return r ? { publicKey: r.publicKey, revoked: r.revoked !== 0 } : null;
  }

  /** Consumes the nonce and writes the report (intake.ts's steps); resolves only once its commit is durable. */
  submit(nonce: { hash: string; expiresAt: number }, row: ReportRow): Promise<WriteOutcome> {
    return this.writer.call({ op: 'submit', nonce, row }) as Promise<WriteOutcome>;
  }

  /** Runs a pragma on the writer's connection (fault-injection tests: max_page_count, query_only). */
  writerPragma(sql: string): Promise<unknown> {
    return this.writer.call({ op: 'pragma', sql });
  }

  /** Lets the writer finish what it was given and close its connection, then stops it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer.close();
    this.db.close();
    await this.stopCheckpointer();
  }

  private async stopCheckpointer(): Promise<void> {
    const c = this.checkpointer;
    const stopped = new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.on('message', (m: { closed?: boolean }) => {
        if (m.closed) resolve();
      });
    });
    c.postMessage({ op: 'close' });
    await Promise.race([stopped, new Promise((r) => setTimeout(r, 5000).unref())]);
    await c.terminate();
  }
}
