// lp-worker.mjs — a worker thread for lp-parallel.ts: repeated min/max LPs over one system, so
// the exact audit of a large component uses every core. Plain JavaScript on purpose: it needs no
// TypeScript loader, whatever runs the server (tsx, compiled code, a test runner).
//
// Protocol (all on the MessagePort given in workerData; the main thread waits on a shared flag):
//   → { type: 'ready' }         sent once HiGHS is loaded (before it, the helper is never used)
//   { type: 'system', sys }      build one persistent HiGHS model (interior point for the first
//                                basis when large, then warm-started primal simplex), like lp.ts
//   { type: 'tasks', tasks, thresholds, innerLo, innerHi }
//                                tasks[t] = 2·col + (1 for max, 0 for min); a task is skipped when
//                                a point already seen reaches thresholds[t] (NaN: never skipped).
//                                Replies { values (NaN when skipped, ±Infinity when unbounded),
//                                poolLo, poolHi, solves, error? } and sets flag[0] = 1.
//   { type: 'batch', cols, limit } maximises the sum of `cols` (limit: simplex iterations, 0 for
//                                none), exactly as lp.ts `ExtremeSolver.batch` does; replies
//                                { x } (null when neither optimal nor stopped by the limit).
// Guarantees: answers are LP optima (or skips the caller re-checks); never throws past the reply.
import { workerData } from 'node:worker_threads';

const { port, flag } = workerData;
const mod = await import('highs');
let loader = mod.default;
if (typeof loader !== 'function') loader = loader.default;
const highs = await loader();

let model = null;
let costed = [];
let numCols = 0;

function reply(msg) {
  port.postMessage(msg);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

port.on('message', (msg) => {
  try {
    if (msg.type === 'system') {
      if (model) model.dispose();
      const sys = msg.sys;
      numCols = sys.numCols;
      model = highs.createModel({
        numCols: sys.numCols,
        numRows: sys.rowLower.length,
        colCost: new Float64Array(sys.numCols),
        colLower: sys.colLower,
        colUpper: sys.colUpper,
        rowLower: sys.rowLower,
        rowUpper: sys.rowUpper,
        matrix: { format: 'csr', numRows: sys.rowLower.length, numCols: sys.numCols, starts: sys.rowStart, indices: sys.rowIndex, values: sys.rowValue },
      });
      costed = [];
      if (msg.ipm) {
        model.options.set({ output_flag: false, solver: 'ipm' });
        model.run();
      }
      model.options.set({ output_flag: false, solver: 'simplex', presolve: 'off', simplex_strategy: 4 });
      return;
    }
    if (msg.type === 'batch') {
      for (const j of costed) model.changeColCost(j, 0);
      for (const j of msg.cols) model.changeColCost(j, -1);
      costed = Array.from(msg.cols);
      let x = null;
      if (msg.limit > 0) model.options.set({ simplex_iteration_limit: msg.limit });
      try {
        const status = model.run().modelStatus;
        if (status === 7 || (msg.limit > 0 && status === 14)) x = Float64Array.from(model.getSolution().colValue);
      } finally {
        if (msg.limit > 0) model.options.set({ simplex_iteration_limit: 2147483647 });
      }
      reply({ x, seq: msg.seq });
      return;
    }
    if (msg.type === 'tasks') {
      const { tasks, thresholds } = msg;
      const poolLo = Float64Array.from(msg.innerLo);
      const poolHi = Float64Array.from(msg.innerHi);
      const values = new Float64Array(tasks.length).fill(NaN);
      let solves = 0;
      for (let t = 0; t < tasks.length; t++) {
        const col = tasks[t] >> 1;
        const max = (tasks[t] & 1) === 1;
        const thr = thresholds[t];
        if (!Number.isNaN(thr) && (max ? poolHi[col] >= thr : poolLo[col] <= thr)) continue;
        for (const j of costed) model.changeColCost(j, 0);
        model.changeColCost(col, max ? -1 : 1);
        costed = [col];
        solves++;
        const status = model.run().modelStatus;
        if (status === 7) {
          const x = model.getSolution().colValue;
          values[t] = x[col];
          for (let i = 0; i < numCols; i++) {
            if (x[i] < poolLo[i]) poolLo[i] = x[i];
            if (x[i] > poolHi[i]) poolHi[i] = x[i];
          }
        } else if (status === 10 || status === 9) {
          values[t] = max ? Infinity : -Infinity;
        }
        // Anything else stays NaN: the main thread solves it itself.
      }
      reply({ values, poolLo, poolHi, solves, seq: msg.seq });
    }
  } catch (e) {
    reply({ error: String(e), seq: msg.seq });
  }
});
// HiGHS is loaded and the port listens: the main thread may now share LPs with this helper.
port.postMessage({ type: 'ready' });
