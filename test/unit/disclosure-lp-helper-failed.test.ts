// lp-parallel.ts: a helper whose HiGHS module failed (its answer is the error of a
// `WebAssembly.RuntimeError`: an abort, an out-of-bounds access) is stopped and never given work
// again, since its memory can no longer be trusted; the work it did not do is done on this thread.
// Here every worker is test/helpers/failing-lp-worker.mjs, which answers every piece of work so.
import type { Worker as RealWorker } from 'node:worker_threads';
import { expect, it, vi } from 'vitest';

const started: RealWorker[] = [];
vi.mock('node:worker_threads', async (original) => {
  const real = await original<typeof import('node:worker_threads')>();
  class FailedModule extends real.Worker {
    constructor(_url: URL, options: ConstructorParameters<typeof real.Worker>[1]) {
      super(new URL('../helpers/failing-lp-worker.mjs', import.meta.url), options);
      started.push(this);
    }
  }
  return { ...real, Worker: FailedModule };
});

process.env.CONTAMOS_LP_THREADS = '2'; // two helpers, whatever the machine (read at first use)
const { ExtremeSolver, feasiblePoint } = await import('../../server/disclosure/lp.js');
const { BatchPartner, helperCount, SharedExtremes } = await import('../../server/disclosure/lp-parallel.js');
const { loadHighs } = await import('../../server/tables/highs.js');

// x0 + x1 + x2 = 9, x0 − x3 = 1, all ≥ 0
const sys = {
  numCols: 4,
  colLower: new Float64Array(4),
  colUpper: Float64Array.of(Infinity, Infinity, Infinity, Infinity),
  rowStart: [0, 3, 5],
  rowIndex: [0, 1, 2, 0, 3],
  rowValue: [1, 1, 1, 1, -1],
  rowLower: [9, 1],
  rowUpper: [9, 1],
};

it('retires a helper whose module failed, in either use, and does its work here', async () => {
  const highs = await loadHighs();
  for (let t = 0; t < 200 && helperCount() < 2; t++) await new Promise((r) => setTimeout(r, 50));
  expect(helperCount()).toBe(2);
  const exited = started.map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve())));

  // the second lane of batches: the helper's answer is a module failure; the batch is solved here
  const lane = new BatchPartner(highs, sys);
  lane.start([1, 2], undefined);
  const x = lane.finish();
  expect(x).toBeDefined();
  expect(feasiblePoint(sys, x!)).toBe(true);
  expect(x![1]! + x![2]!).toBeCloseTo(8, 9); // the optimum: x0 = 1 at its least
  expect(lane.helperBatches).toBe(0);
  lane.dispose();
  expect(helperCount()).toBe(1);

  // shared single LPs: the other helper answers a module failure too; null, so the caller solves them
  const shared = new SharedExtremes(sys, false);
  expect(shared.helpers).toBe(1);
  shared.send(0, Int32Array.of(1, 2), Float64Array.of(Number.NaN, Number.NaN), new Float64Array(4), new Float64Array(4));
  expect(shared.receive(0)).toBeNull();
  shared.release();
  expect(helperCount()).toBe(0);
  expect(new SharedExtremes(sys, false).helpers).toBe(0);

  // both workers were stopped
  await Promise.all(exited);
  // and this thread still answers
  const solver = new ExtremeSolver(highs, sys);
  expect(solver.extreme(0, -1).value).toBeCloseTo(9, 9);
  solver.dispose();
}, 60_000);
