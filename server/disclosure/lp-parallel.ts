// lp-parallel.ts — spreads the per-end LPs of one large component over the machine's cores.
//
// The audit of a large component ends with hundreds or thousands of independent LPs (minimise or
// maximise one class over the same system: every open end in exact mode, the ends left uncertain
// after the batches in judge mode). `LpHelpers` keeps worker threads
// (lp-worker.mjs, one HiGHS instance each) alive for the whole process; the main thread hands
// each helper the system early (so its first basis is built while the main thread works) and
// later a share of the LPs, solves its own share meanwhile, then waits for the helpers with
// Atomics.wait and collects their answers synchronously (receiveMessageOnPort). So the audit
// keeps its synchronous API.
//
// `BatchPartner` is a second lane for judge mode's batch LPs: a helper thread when one is ready,
// otherwise a second HiGHS model on this thread; given the same batches it returns the same points
// either way (the same model, options and sequence of runs), so the audit does not depend on it.
//
// Guarantees: a helper is given work only once it has said it is ready (a worker that cannot start
// costs no waiting); a helper's answer for an LP is that LP's optimum (HiGHS), or "not answered" (NaN),
// which the caller then solves itself — results never depend on how the work was split, only the
// number of LP solves does. If workers cannot start (no worker_threads, missing file, sandbox), or a
// helper reports an error, everything runs on the main thread. A helper let go while it still owes
// an answer (its caller threw, or stopped waiting) is stopped and never given work again, so no
// answer is ever read as the answer to other work. A helper whose HiGHS module failed (a
// WebAssembly.RuntimeError, reported in any of its messages) is stopped and never given work again
// either: nothing it computes afterwards could be trusted. Helpers are unref'd: they never keep
// the process alive.
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Highs } from 'highs';
import { ExtremeSolver, type SparseSystem } from './lp.js';

interface Helper {
  worker: Worker;
  port: MessagePort;
  flag: Int32Array;
  busy: boolean;
  /** An answer is owed: work was sent and its answer not yet read. Such a helper is never given other work (`free`). */
  owed: boolean;
  /** Number of the last work sent; an answer carries the number of its work, and any other is dropped. */
  seq: number;
  /** The worker said it has loaded HiGHS: only then is it given work (one that never starts is never waited for). */
  ready: boolean;
  /** Its HiGHS module failed (`moduleFailed`): stopped, out of the pool, never waited for again. */
  retired: boolean;
}

/** Whether helper `h` has said it is ready (reads its 'ready' message, without waiting). */
function isReady(h: Helper): boolean {
  if (!h.ready) {
    const got = receiveMessageOnPort(h.port);
    if ((got?.message as { type?: string } | undefined)?.type === 'ready') h.ready = true;
  }
  return h.ready;
}

export interface HelperAnswer {
  values: Float64Array;
  poolLo: Float64Array;
  poolHi: Float64Array;
  solves: number;
}

let helpers: Helper[] | null | undefined;

/** The helpers (created on first use), or [] when parallelism is unavailable. */
function pool(): Helper[] {
  if (helpers !== undefined) return helpers ?? [];
  helpers = null;
  const cores = typeof availableParallelism === 'function' ? availableParallelism() : 1;
  // CONTAMOS_LP_THREADS: the operator's number of helper threads (0: none); by default one per core
  // beyond the first, at most 3. Results never depend on it, only the time does.
  const asked = Number.parseInt(process.env.CONTAMOS_LP_THREADS ?? '', 10);
  const n = Math.min(3, Math.max(0, Number.isInteger(asked) ? asked : cores - 1));
  if (n === 0) return [];
  try {
    const list: Helper[] = [];
    for (let i = 0; i < n; i++) {
      const channel = new MessageChannel();
      const flag = new Int32Array(new SharedArrayBuffer(4));
      const worker = new Worker(new URL('./lp-worker.mjs', import.meta.url), {
        workerData: { port: channel.port2, flag },
        transferList: [channel.port2],
        execArgv: [],
      });
      worker.unref();
      worker.on('error', () => {
        helpers = null;
      });
      list.push({ worker, port: channel.port1, flag, busy: false, owed: false, seq: 0, ready: false, retired: false });
    }
    helpers = list;
  } catch {
    helpers = null;
  }
  return helpers ?? [];
}

/**
 * Gives helper `h` back to the pool. One that still owes an answer (its caller threw, or gave up
 * waiting) is stopped and left out of the pool instead: its late answer would otherwise be read as
 * the answer to the next caller's work.
 */
function free(h: Helper): void {
  if (h.owed) retire(h);
  else h.busy = false;
}

/**
 * Whether a helper's message says its HiGHS module failed: lp-worker.mjs replies `String(error)`,
 * and a `WebAssembly.RuntimeError` (an abort, an out-of-bounds access) may leave the module's
 * memory in any state, so no later answer of that helper could be trusted.
 */
function moduleFailed(message: unknown): boolean {
  const error = (message as { error?: unknown } | null)?.error;
  return typeof error === 'string' && error.startsWith('RuntimeError');
}

/** Stops helper `h` for good (its module failed, or it owes an answer no one will read): out of the pool, never waited for again. */
function retire(h: Helper): void {
  h.retired = true;
  if (helpers) helpers = helpers.filter((x) => x !== h);
  void h.worker.terminate();
}

/**
 * Waits up to a second for helper `h`'s answer to its last work (`seq`); undefined if none came.
 * Any other message (a late answer to earlier work, an error about a system) is dropped; any
 * message saying the helper's module failed retires it (its answer, if this is one, is an error).
 */
function answerTo(h: Helper): unknown {
  if (h.retired) return undefined;
  Atomics.wait(h.flag, 0, 0, 1000);
  for (let got = receiveMessageOnPort(h.port); got; got = receiveMessageOnPort(h.port)) {
    if (moduleFailed(got.message)) retire(h);
    if ((got.message as { seq?: number }).seq !== h.seq) continue;
    h.owed = false;
    return got.message;
  }
  Atomics.store(h.flag, 0, 0); // (a dropped message set it: wait again; an answer arriving now is read within a second)
  return undefined;
}

/** The 'system' message of lp-worker.mjs: the system copied into typed arrays the worker can take. */
function systemMessage(sys: SparseSystem, ipm: boolean) {
  return {
    type: 'system',
    ipm,
    sys: {
      numCols: sys.numCols,
      colLower: Float64Array.from(sys.colLower),
      colUpper: Float64Array.from(sys.colUpper),
      rowStart: Int32Array.from(sys.rowStart),
      rowIndex: Int32Array.from(sys.rowIndex),
      rowValue: Float64Array.from(sys.rowValue),
      rowLower: Float64Array.from(sys.rowLower),
      rowUpper: Float64Array.from(sys.rowUpper),
    },
  };
}

/** Helpers ready to take work now (a worker still loading HiGHS, or one that failed to start, is not counted). */
export function helperCount(): number {
  return pool().filter(isReady).length;
}

/** A batch of LPs on one system, shared between the main thread and the helpers. */
export class SharedExtremes {
  private readonly mine: Helper[];

  constructor(sys: SparseSystem, ipm: boolean) {
    this.mine = pool().filter((h) => !h.busy && isReady(h));
    for (const h of this.mine) {
      h.busy = true;
      h.port.postMessage(systemMessage(sys, ipm));
    }
  }

  get helpers(): number {
    return this.mine.length;
  }

  /** Sends helper `i` its share (see lp-worker.mjs for the encoding). */
  send(i: number, tasks: Int32Array, thresholds: Float64Array, innerLo: Float64Array, innerHi: Float64Array): void {
    const h = this.mine[i]!;
    Atomics.store(h.flag, 0, 0);
    h.owed = true;
    h.port.postMessage({ type: 'tasks', tasks, thresholds, innerLo, innerHi, seq: ++h.seq });
  }

  /** Blocks until helper `i` answers; null if it failed (the caller then does the work). */
  receive(i: number): HelperAnswer | null {
    const h = this.mine[i]!;
    for (let spins = 0; spins <= 120 && helpers !== null && !h.retired; spins++) {
      const msg = answerTo(h) as (HelperAnswer & { error?: string }) | undefined;
      if (msg) return msg.error ? null : msg;
    }
    return null; // 2 minutes: give up, the caller does it (and `free` stops the helper)
  }

  release(): void {
    for (const h of this.mine) free(h);
  }
}

/**
 * A second lane of batch LPs over one system (judge mode, interval-audit.ts): `start` hands it a
 * batch, the caller solves its own meanwhile, `finish` returns the lane's point. On a helper thread
 * when one is ready and free at construction, else on a second model here (no gain in time, the
 * same points). A helper that fails is replaced by a model here from then on (its points may then
 * differ from the helper's: only after a failure).
 */
export class BatchPartner {
  private helper: Helper | undefined;
  private local: ExtremeSolver | undefined;
  private pending: { cols: number[]; limit: number | undefined } | undefined;
  /** Batches a helper thread answered (the others were solved on this thread). */
  helperBatches = 0;

  constructor(
    private readonly highs: Highs,
    private readonly sys: SparseSystem,
  ) {
    this.helper = pool().find((h) => !h.busy && isReady(h));
    if (this.helper) {
      this.helper.busy = true;
      this.helper.port.postMessage(systemMessage(sys, sys.numCols > ExtremeSolver.IPM_START)); // the first basis as ExtremeSolver makes it
    }
  }

  /** Hands the lane a batch: maximise the sum of `cols`, stopped after `limit` simplex iterations if given. */
  start(cols: number[], limit: number | undefined): void {
    this.pending = { cols, limit };
    if (this.helper) {
      Atomics.store(this.helper.flag, 0, 0);
      this.helper.owed = true;
      this.helper.port.postMessage({ type: 'batch', cols: Int32Array.from(cols), limit: limit ?? 0, seq: ++this.helper.seq });
    }
  }

  /** The lane's point for the batch given to `start` (unchecked, as `ExtremeSolver.batch`), or undefined. */
  finish(): Float64Array | undefined {
    const task = this.pending;
    this.pending = undefined;
    if (!task) return undefined;
    if (this.helper) {
      const h = this.helper;
      for (let spins = 0; spins <= 120 && helpers !== null && !h.retired; spins++) {
        const msg = answerTo(h) as { x?: Float64Array | null; error?: string } | undefined;
        if (!msg) continue;
        if (!msg.error) {
          this.helperBatches++;
          return msg.x ?? undefined;
        }
        break;
      }
      // The helper failed or did not answer: a model here from now on.
      free(h);
      this.helper = undefined;
    }
    this.local ??= new ExtremeSolver(this.highs, this.sys);
    return this.local.batch(task.cols, -1, task.limit);
  }

  dispose(): void {
    if (this.helper) free(this.helper);
    this.helper = undefined;
    this.local?.dispose();
    this.local = undefined;
  }
}
