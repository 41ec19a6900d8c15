// The rest of server/disclosure/global/truth.ts: the canonical id of coordinates (`coordsId`) and
// the hierarchy ancestry (`ancestryOf`) through which a record counts in every group above its
// code. A wrong ancestry counts a group wrongly (a small group count read as 0 is never
// protected), so nested groups, hierarchies given by several publications, and the refusal of a
// code with two parents or of a cycle are pinned here, through `aggregate` as the model uses them.
import { describe, expect, it } from 'vitest';
import { aggregate, ancestryOf, coordsId, type IncidentRecord } from '../../server/disclosure/global/truth.js';

const rec = (region: string, n = 1, member = 'A'): IncidentRecord => ({ key: { region }, count: n, byMember: new Map([[member, n]]) });

describe('coordsId', () => {
  it('one id per coordinates: "*" entries dropped, dimensions sorted, codes kept apart', () => {
    expect(coordsId({ b: 'x', a: 'y' })).toBe(coordsId({ a: 'y', b: 'x' }));
    expect(coordsId({ a: 'y', b: '*' })).toBe(coordsId({ a: 'y' }));
    expect(coordsId({})).toBe('');
    expect(coordsId({ a: '*' })).toBe('');
    const ids = (
      [{ a: 'x' }, { a: 'y' }, { b: 'x' }, { a: 'x', b: 'y' }, { a: 'xb', b: 'y' }, { a: 'x', b: 'yb' }, { ab: 'x' }] as Array<Record<string, string>>
    ).map((k) => coordsId(k));
    expect(new Set(ids).size).toBe(ids.length);
    expect(coordsId({ a: 'x', b: 'y' })).toContain('x');
  });
});

describe('ancestryOf', () => {
  it('nested groups: a code lists every group above it, nearest first', () => {
    const a = ancestryOf([{ region: { '*': ['peru'], peru: ['norte', 'sur'], norte: ['r1', 'r2'], sur: ['r3'] } }]);
    expect(a.get('region')!.get('r1')).toEqual(['norte', 'peru']);
    expect(a.get('region')!.get('r3')).toEqual(['sur', 'peru']);
    expect(a.get('region')!.get('norte')).toEqual(['peru']);
    expect(a.get('region')!.has('peru')).toBe(false); // under "*" only: no group above it
    const recs = [rec('r1', 2), rec('r2', 1), rec('r3', 4, 'B')];
    const ask = new Map(
      ([{ region: 'norte' }, { region: 'peru' }, { region: 'sur' }, { region: 'r2' }, {}] as Array<Record<string, string>>).map(
        (k) => [coordsId(k), k] as const,
      ),
    );
    const out = aggregate(recs, ask, a);
    expect(out.get(coordsId({ region: 'norte' }))!.value).toBe(3);
    expect(out.get(coordsId({ region: 'sur' }))!.value).toBe(4);
    expect(out.get(coordsId({ region: 'peru' }))!.value).toBe(7);
    expect(out.get(coordsId({ region: 'r2' }))!.value).toBe(1);
    expect(out.get(coordsId({}))!.value).toBe(7);
  });

  it('the hierarchies of several publications are merged, per dimension', () => {
    const a = ancestryOf([{ region: { norte: ['r1', 'r2'] } }, { region: { norte: ['r1', 'r2'], sur: ['r3'] }, type: { violent: ['h', 'x'] } }, {}]);
    expect(a.get('region')!.get('r1')).toEqual(['norte']);
    expect(a.get('region')!.get('r3')).toEqual(['sur']);
    expect(a.get('type')!.get('x')).toEqual(['violent']);
    expect(a.get('type')!.has('r1')).toBe(false);
  });

  it('refuses a code with two parents, and a cycle', () => {
    expect(() => ancestryOf([{ region: { norte: ['r1', 'r2'] } }, { region: { costa: ['r1'] } }])).toThrow(/r1 has two parents/);
    expect(() => ancestryOf([{ region: { norte: ['r1'], sur: ['r1'] } }])).toThrow(/two parents/);
    expect(() => ancestryOf([{ region: { g1: ['g2'], g2: ['g1'] } }])).toThrow(/cyclic hierarchy/);
    expect(() => ancestryOf([{ region: { g1: ['g2', 'r1'], g2: ['g3'], g3: ['g1'] } }])).toThrow(/cyclic hierarchy/);
  });
});
