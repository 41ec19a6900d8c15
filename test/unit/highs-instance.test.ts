// server/tables/highs.ts: one HiGHS instance per process, until it fails as a WebAssembly module.
// A `WebAssembly.RuntimeError` (HiGHS's abort, an out-of-bounds access) may leave the module's
// memory in any state, so after one the instance must never answer again: the failing call throws,
// and the next `loadHighs()` is a fresh instance that answers correctly. An ordinary error keeps it.
import type { Highs } from 'highs';
import { expect, it } from 'vitest';
import { solveOnce, type SparseSystem } from '../../server/disclosure/lp.js';
import { AuditEngine, thresholdRules } from '../../server/disclosure/index.js';
import { loadHighs } from '../../server/tables/highs.js';
import { randomPattern } from '../helpers/random-pattern.js';

// x0 + x1 = 10, x1 ≤ 4: the minimum of x0 is 6
const sys: SparseSystem = {
  numCols: 2,
  colLower: Float64Array.of(0, 0),
  colUpper: Float64Array.of(Infinity, 4),
  rowStart: [0, 2],
  rowIndex: [0, 1],
  rowValue: [1, 1],
  rowLower: [10],
  rowUpper: [10],
};
const minX0 = (highs: Highs): number => solveOnce(highs, sys, Float64Array.of(1, 0), false).objective;

/** A model of `highs` whose next `run` (or `store`'s method `method`) throws `error` (as the module would). */
function failingModel(highs: Highs, error: Error, store?: 'options' | 'info' | 'raw', method = 'run') {
  const m = highs.createModel({
    numCols: 1,
    numRows: 0,
    colCost: [1],
    colLower: [0],
    colUpper: [1],
    rowLower: [],
    rowUpper: [],
    matrix: { format: 'csr', numRows: 0, numCols: 1, starts: [0], indices: [], values: [] },
  } as unknown as Parameters<Highs['createModel']>[0]);
  Object.defineProperty(store ? m[store] : m, method, {
    configurable: true,
    writable: true,
    value: () => {
      throw error;
    },
  });
  return m;
}

it('keeps one instance through ordinary errors, and replaces it after the module fails', async () => {
  const first = await loadHighs();
  expect(await loadHighs()).toBe(first);
  expect(minX0(first)).toBeCloseTo(6, 9);
  const pattern = randomPattern(3, [6, 5, 4], 0.4);
  const rules = thresholdRules(pattern.s.n, pattern.sensitive, 5, 5);
  const before = new AuditEngine(first, pattern.s, rules).run(pattern.suppressed, 'exact');
  expect(before.failing.length + before.comps.length).toBeGreaterThan(0);

  // an ordinary error (a bad argument, say): the same instance stays
  const ordinary = failingModel(first, new Error('bad argument'));
  expect(() => ordinary.run()).toThrow('bad argument');
  ordinary.dispose();
  expect(await loadHighs()).toBe(first);

  // the module's own failure: the call throws it, and the next caller gets a fresh instance
  const broken = failingModel(first, new WebAssembly.RuntimeError('Aborted(injected)'));
  expect(() => broken.run()).toThrow(WebAssembly.RuntimeError);
  const second = await loadHighs();
  expect(second).not.toBe(first);
  expect(await loadHighs()).toBe(second);
  expect(minX0(second)).toBeCloseTo(6, 9);

  // and the engine audits on it exactly as it did on the first
  const after = new AuditEngine(second, pattern.s, rules).run(pattern.suppressed, 'exact');
  expect(Array.from(after.lo)).toEqual(Array.from(before.lo));
  expect(Array.from(after.hi)).toEqual(Array.from(before.hi));
  expect(after.failing).toEqual(before.failing);
});

it.each([
  ['options', 'set'],
  ['info', 'get'],
  ['raw', 'getModelStatus'],
] as const)('replaces the instance after the module fails inside model.%s.%s, and keeps it through an ordinary error there', async (store, method) => {
  const first = await loadHighs();
  // the store still works through the watch
  const fine = failingModel(first, new Error('unused'), undefined, 'unused');
  fine.options.set({ presolve: 'off' });
  expect(fine.options.get('presolve')).toBe('off');
  expect(fine.info.get('simplex_iteration_count')).toBeTypeOf('number');
  fine.dispose();

  const ordinary = failingModel(first, new Error('bad option'), store, method);
  expect(() => (ordinary[store] as unknown as Record<string, () => unknown>)[method]!()).toThrow('bad option');
  ordinary.dispose();
  expect(await loadHighs()).toBe(first);

  const broken = failingModel(first, new WebAssembly.RuntimeError('Aborted(injected)'), store, method);
  expect(() => (broken[store] as unknown as Record<string, () => unknown>)[method]!()).toThrow(WebAssembly.RuntimeError);
  const second = await loadHighs();
  expect(second).not.toBe(first);
  expect(minX0(second)).toBeCloseTo(6, 9);
});
