// The main thread's side of the PostgreSQL intake thread (pg-intake-worker.ts): the same three
// methods as pg-intake.ts (`memberKey`, `chargeRateWindows`, `submit`), each a message to the
// thread and its answer back, so the event loop does none of the driver's work.
// Guarantees: a call resolves with what PgIntake resolved in the thread, or rejects with an error
// carrying the driver's name, message and code (db/errors.ts classifies it); `submit` resolves only
// once the submission's transaction committed. If the thread dies, every pending call is rejected
// (nothing was acknowledged; a submission whose commit raced the death is answered as a failure,
// and its retry is the same report again: `created: false`), and the next call starts a new thread.
import type { PgIntake } from './pg-intake.js';
import type { ReportRow } from './report-row.js';
import type { IntakeCharge, IntakeOutcome } from './store.js';
import { ThreadCalls } from './thread-calls.js';

export class PgIntakeThread implements Pick<PgIntake, 'memberKey' | 'chargeRateWindows' | 'submit' | 'close'> {
  /** The intake thread (its calls; fault-injection tests terminate `thread.worker`). */
  readonly thread: ThreadCalls;

  constructor(url: string, opts: { poolSize?: number } = {}) {
    this.thread = new ThreadCalls(
      new URL('./pg-intake-thread.mjs', import.meta.url),
      { url, poolSize: opts.poolSize },
      {
        closed: 'Connection terminated: the store is closed',
        stopped: (why) => `Connection terminated: the intake thread stopped (${why})`,
      },
    );
  }

  memberKey(keyId: string): Promise<{ publicKey: string; revoked: boolean } | null> {
    return this.thread.call({ op: 'memberKey', args: [keyId] }) as Promise<{ publicKey: string; revoked: boolean } | null>;
  }

  chargeRateWindows(nonce: { hash: string; expiresAt: number }, windows: Array<{ bucket: string; expiresAt: number }>): Promise<Map<string, number> | null> {
    return this.thread.call({ op: 'chargeRateWindows', args: [nonce, windows] }) as Promise<Map<string, number> | null>;
  }

  submit(nonce: { hash: string; expiresAt: number }, row: ReportRow, charge?: IntakeCharge): Promise<IntakeOutcome> {
    return this.thread.call({ op: 'submit', args: charge ? [nonce, row, charge] : [nonce, row] }) as Promise<IntakeOutcome>;
  }

  /** Lets the thread end its pool (pending queries finish), then stops it. */
  close(): Promise<void> {
    return this.thread.close();
  }
}
