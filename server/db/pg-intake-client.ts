// The main thread's side of the PostgreSQL intake thread (pg-intake-worker.ts): the same three
// methods as pg-intake.ts (`memberKey`, `chargeRateWindows`, `submit`), each a message to the
// thread and its answer back, so the event loop does none of the driver's work.
// Guarantees: a call resolves with what PgIntake resolved in the thread, or rejects with an error
// carrying the driver's name, message and code (db/errors.ts classifies it); `submit` resolves only
// once the submission's transaction committed. If the thread dies, every pending call is rejected
// (nothing was acknowledged; a submission whose commit raced the death is answered as a failure,
// and its retry is the same report again: `created: false`), and the next call starts a new thread.
import { Worker } from 'node:worker_threads';
import type { PgIntake } from './pg-intake.js';
import type { ReportRow, WriteOutcome } from './report-row.js';

type Reply = { seq: number; value?: unknown; error?: { name: string; message: string; code?: string } } | { ready: true };

function revive(e: { name: string; message: string; code?: string }): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.code !== undefined) (err as Error & { code?: string }).code = e.code;
  return err;
}

export class PgIntakeThread implements Pick<PgIntake, 'memberKey' | 'chargeRateWindows' | 'submit' | 'close'> {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private seq = 0;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly opts: { poolSize?: number } = {},
  ) {}

  memberKey(keyId: string): Promise<{ publicKey: string; revoked: boolean } | null> {
    return this.call('memberKey', [keyId]) as Promise<{ publicKey: string; revoked: boolean } | null>;
  }

  chargeRateWindows(nonceHash: string, windows: Array<{ bucket: string; expiresAt: number }>): Promise<Map<string, number> | null> {
    return this.call('chargeRateWindows', [nonceHash, windows]) as Promise<Map<string, number> | null>;
  }

  submit(nonce: { hash: string; expiresAt: number }, row: ReportRow): Promise<WriteOutcome> {
    return this.call('submit', [nonce, row]) as Promise<WriteOutcome>;
  }

  /** Lets the thread end its pool (pending queries finish), then stops it. */
  async close(): Promise<void> {
    if (this.closed) return;
    const w = this.worker;
    if (w) {
      const done = this.call('close', []).catch(() => undefined);
      await Promise.race([done, new Promise((r) => setTimeout(r, 5000).unref())]);
    }
    this.closed = true;
    this.worker = null;
    if (w) await w.terminate();
  }

  private call(op: string, args: unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('Connection terminated: the store is closed'));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.thread().postMessage({ seq, op, args });
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./pg-intake-thread.mjs', import.meta.url), { workerData: { url: this.url, poolSize: this.opts.poolSize }, execArgv: [] });
    w.on('message', (m: Reply) => {
      if ('ready' in m) return;
      const p = this.pending.get(m.seq);
      if (!p) return;
      this.pending.delete(m.seq);
      if (m.error) p.reject(revive(m.error));
      else p.resolve(m.value);
    });
    const fail = (why: string) => {
      if (this.worker === w) this.worker = null;
      const err = new Error(`Connection terminated: the intake thread stopped (${why})`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    w.on('error', (e) => fail(e.name));
    w.on('exit', (code) => fail(`exit ${code}`));
    this.worker = w;
    return w;
  }
}
