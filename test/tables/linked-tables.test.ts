// buildLinkedTables: margins, hierarchy groups, shared cells across linked tables, constraints.
import { describe, expect, it } from 'vitest';
import { buildLinkedTables, coveringCells, keyInTable } from '../../server/tables/linked-tables.js';

const counts = [
  { key: { year: '2022', region: 'A', type: 't1' }, count: 3 },
  { key: { year: '2022', region: 'B', type: 't2' }, count: 5 },
  { key: { year: '2023', region: 'A', type: 't1' }, count: 1 },
  { key: { year: '2023', region: 'C', type: 't2' }, count: 7 },
];
const domains = { year: ['2022', '2023'], region: ['A', 'B', 'C'], type: ['t1', 't2'] };

describe('buildLinkedTables', () => {
  it('materialises every cell of a table with all its margins, zeros included', () => {
    const lt = buildLinkedTables({ counts, domains, tables: [['year', 'region']] });
    // (2 years + *) × (3 regions + *) = 12 cells
    expect(lt.cells).toHaveLength(12);
    expect(lt.tableCells[0]).toHaveLength(12);
    const byKey = new Map(lt.cells.map((c) => [JSON.stringify(keyInTable(c, ['year', 'region'])), c.value]));
    expect(byKey.get(JSON.stringify({ year: '*', region: '*' }))).toBe(16);
    expect(byKey.get(JSON.stringify({ year: '2022', region: '*' }))).toBe(8);
    expect(byKey.get(JSON.stringify({ year: '*', region: 'A' }))).toBe(4);
    expect(byKey.get(JSON.stringify({ year: '2023', region: 'B' }))).toBe(0);
    // Order: table then key order, "*" first.
    expect(keyInTable(lt.cells[lt.tableCells[0]![0]!]!, ['year', 'region'])).toEqual({ year: '*', region: '*' });
    expect(keyInTable(lt.cells[lt.tableCells[0]![1]!]!, ['year', 'region'])).toEqual({ year: '*', region: 'A' });
    // Constraints: 3 rows (years + *) expanded over region, 4 columns expanded over year.
    expect(lt.constraints).toHaveLength(3 + 4);
    for (const c of lt.constraints) {
      expect(lt.cells[c.total]!.value).toBe(c.parts.reduce((s, q) => s + lt.cells[q]!.value, 0));
    }
  });

  it('links tables: a shared margin is one cell that appears in both tables', () => {
    const lt = buildLinkedTables({
      counts,
      domains,
      tables: [
        ['year', 'region'],
        ['year', 'type'],
      ],
    });
    // 12 + 9 cells, minus the 3 shared ({year:2022}, {year:2023}, grand total).
    expect(lt.cells).toHaveLength(12 + 9 - 3);
    const y22 = lt.cells.find((c) => JSON.stringify(c.key) === JSON.stringify({ year: '2022' }))!;
    expect(y22.tables).toEqual([0, 1]);
    expect(y22.value).toBe(8);
    // The grand total is expanded along year only once (deduplicated), along region and type once each.
    const grand = lt.cells.find((c) => Object.keys(c.key).length === 0)!;
    expect(
      lt.constraints
        .filter((c) => c.total === grand.id)
        .map((c) => c.dim)
        .sort(),
    ).toEqual(['region', 'type', 'year']);
  });

  it('adds hierarchy groups as cells with group = Σ children and "*" = Σ groups (3 levels)', () => {
    const lt = buildLinkedTables({ counts, domains, tables: [['region']], hierarchies: { region: { north: ['A', 'B'], south: ['C'] } } });
    const keys = lt.tableCells[0]!.map((id) => lt.cells[id]!.key.region ?? '*');
    expect(keys).toEqual(['*', 'north', 'A', 'B', 'south', 'C']);
    const id = (code: string): number => lt.cells.find((c) => (c.key.region ?? '*') === code)!.id;
    const sets = lt.constraints.map((c) => [c.total, [...c.parts].sort()]);
    expect(sets).toContainEqual([id('*'), [id('north'), id('south')].sort()]);
    expect(sets).toContainEqual([id('north'), [id('A'), id('B')].sort()]);
    expect(sets).toContainEqual([id('south'), [id('C')]]);
    expect(lt.cells[id('north')]!.value).toBe(9);
  });

  it('coveringCells: one more incident raises exactly the cells covering its key, in every table', () => {
    const lt = buildLinkedTables({
      counts,
      domains,
      tables: [
        ['year', 'region'],
        ['year', 'type'],
      ],
      hierarchies: { region: { north: ['A', 'B'], south: ['C'] } },
    });
    const cover = coveringCells(lt, { year: '2022', region: 'A', type: 't2' });
    // year×region: {2022,*} × {A, north, *} = 6 cells; year×type: {2022,*} × {t2,*} = 4, of which
    // {2022} and the grand total are shared: 8 distinct cells.
    expect(cover).toHaveLength(8);
    const bumped = lt.cells.map((c) => c.value + (cover.includes(c.id) ? 1 : 0));
    for (const c of lt.constraints) expect(bumped[c.total]).toBe(c.parts.reduce((acc, q) => acc + bumped[q]!, 0));
  });

  it('rejects unknown codes, negative counts and hierarchies that are not trees', () => {
    expect(() => buildLinkedTables({ counts: [{ key: { year: '1999' }, count: 1 }], domains, tables: [['year']] })).toThrow();
    expect(() => buildLinkedTables({ counts: [{ key: { year: '2022' }, count: -1 }], domains, tables: [['year']] })).toThrow();
    expect(() => buildLinkedTables({ counts: [], domains, tables: [['nope']] })).toThrow();
    expect(() => buildLinkedTables({ counts: [], domains, tables: [['region']], hierarchies: { region: { g: ['A'], h: ['A', 'B'] } } })).toThrow();
  });
});
