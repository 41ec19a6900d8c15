// Calls from the main thread to a worker thread that owns a database connection (the SQLite
// writer, sqlite-fast-path.ts; the PostgreSQL intake pool, pg-intake-client.ts): each call is one
// message `{ ...msg, seq }`, answered by `{ seq, ok | value }` or `{ seq, error }`.
// Guarantees: a call resolves with the thread's answer or rejects with its error (name, message
// and code, which db/errors.ts classifies); if the thread dies, every pending call is rejected
// with `stopped(why)` — none was acknowledged — and the next call starts a new thread; after
// `close`, calls reject with `closed`.
import { Worker } from 'node:worker_threads';

type Reply = { seq: number; ok?: unknown; value?: unknown; error?: { name: string; message: string; code?: string } } | { ready: true };

export interface ThreadErrors {
  /** The error message of a call made after `close`. */
  closed: string;
  /** The error message of the calls pending when the thread stopped. */
  stopped(why: string): string;
}

function revive(e: { name: string; message: string; code?: string }): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.code !== undefined) (err as Error & { code?: string }).code = e.code;
  return err;
}

export class ThreadCalls {
  /** The running thread, if any (fault-injection tests terminate it). */
  worker: Worker | null = null;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private seq = 0;
  private closed = false;

  constructor(
    private readonly entry: URL,
    private readonly workerData: unknown,
    private readonly errors: ThreadErrors,
  ) {}

  call(msg: Record<string, unknown>): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error(this.errors.closed));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.thread().postMessage({ ...msg, seq });
    });
  }

  /** Sends `{ op: 'close' }` (the thread finishes what it was given), waits up to 5 s, then stops it. */
  async close(): Promise<void> {
    if (this.closed) return;
    const w = this.worker;
    if (w) {
      const done = this.call({ op: 'close' }).catch(() => undefined);
      await Promise.race([done, new Promise((r) => setTimeout(r, 5000).unref())]);
    }
    this.closed = true;
    this.worker = null;
    if (w) await w.terminate();
  }

  /** The thread, started if it is not running. */
  thread(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.entry, { workerData: this.workerData, execArgv: [] });
    w.on('message', (m: Reply) => {
      if ('ready' in m) return;
      const p = this.pending.get(m.seq);
      if (!p) return;
      this.pending.delete(m.seq);
      if (m.error) p.reject(revive(m.error));
      else p.resolve(m.ok ?? m.value);
    });
    const fail = (why: string) => {
      if (this.worker === w) this.worker = null;
      const err = new Error(this.errors.stopped(why));
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    w.on('error', (e) => fail(e.name));
    w.on('exit', (code) => fail(`exit ${code}`));
    this.worker = w;
    return w;
  }
}
