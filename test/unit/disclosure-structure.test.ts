// structure.ts: the index every audit and suppression loop reads. A stale or mislabelled index is
// an audit of some other table, so: the memo must never hand back the index of other cells (same
// constraints array, new values — the global model re-solves one set of constraints with new
// counts), inputs that break its assumptions are refused, and the index matches its definition.
import { describe, expect, it } from 'vitest';
import { structureOf } from '../../server/disclosure/structure.js';
import type { Cell, Constraint } from '../../server/disclosure/types.js';

const cell = (id: number, value: number, lower?: number): Cell => ({
  id,
  key: { k: String(id) },
  tables: [0],
  value,
  ...(lower !== undefined ? { lower } : {}),
});
// total 0 = 1 + 2; total 1 = 3 + 4 (a cell in two constraints: 1)
const constraints: Constraint[] = [
  { id: 0, total: 0, parts: [1, 2], dim: 'a' },
  { id: 1, total: 1, parts: [3, 4], dim: 'b' },
];

describe('structureOf', () => {
  it('indexes cells and constraints as its header defines', () => {
    const s = structureOf([cell(0, 10), cell(1, 6), cell(2, 4), cell(3, 5), cell(4, 1)], constraints);
    expect([s.n, s.m]).toEqual([5, 2]);
    expect([...s.values]).toEqual([10, 6, 4, 5, 1]);
    expect([...s.lower]).toEqual([0, 0, 0, 0, 0]);
    expect([...s.conStart]).toEqual([0, 3, 6]);
    expect([...s.conCells]).toEqual([0, 1, 2, 1, 3, 4]);
    expect([...s.incStart]).toEqual([0, 1, 3, 4, 5, 6]);
    expect([...s.incCons]).toEqual([0, 0, 1, 0, 1, 1]);
  });

  it('memoises per (cells, constraints), but never returns the index of other cells for the same constraints', () => {
    const a = [cell(0, 10), cell(1, 6), cell(2, 4), cell(3, 5), cell(4, 1)];
    const b = [cell(0, 3), cell(1, 2), cell(2, 1), cell(3, 2), cell(4, 0, -Infinity)];
    const sa = structureOf(a, constraints);
    expect(structureOf(a, constraints)).toBe(sa);
    const sb = structureOf(b, constraints);
    expect([...sb.values]).toEqual([3, 2, 1, 2, 0]);
    expect(sb.lower[4]).toBe(-Infinity);
    expect(structureOf(b, constraints)).toBe(sb);
    // and back: the first cells are indexed afresh, not served b's values
    expect([...structureOf(a, constraints).values]).toEqual([10, 6, 4, 5, 1]);
  });

  it('refuses cells or constraints whose ids are not their index, and a value below its lower bound', () => {
    expect(() => structureOf([cell(0, 1), cell(2, 1)], [])).toThrow('cell ids must equal their index');
    expect(() => structureOf([cell(0, 1), cell(1, 1), cell(2, 0)], [{ id: 1, total: 0, parts: [1, 2], dim: 'a' }])).toThrow(
      'constraint ids must equal their index',
    );
    expect(() => structureOf([cell(0, -1)], [])).toThrow('cell 0: value below its lower bound');
    expect(() => structureOf([cell(0, 2, 3)], [])).toThrow('cell 0: value below its lower bound');
    expect(() => structureOf([cell(0, Number.NaN)], [])).toThrow('cell 0: value below its lower bound');
    // a change may be negative
    expect(structureOf([cell(0, -4, -Infinity)], []).values[0]).toBe(-4);
  });
});
