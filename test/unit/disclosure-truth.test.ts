// The true counts and members' shares the whole-server model protects (server/disclosure/global/
// truth.ts), against sums worked out by hand. A count the engine believes to be 0, or a share it
// does not see, is a cell it would not protect: so the coordinates are given as callers give
// them — dimensions in any order, "*" for "all" — only some coordinates are asked for, records
// may carry no member data, and groups of a hierarchy count their members.
import { describe, expect, it } from 'vitest';
import { aggregate, ancestryOf, coordsId, type IncidentRecord } from '../../server/disclosure/global/truth.js';

const rec = (region: string, incidentType: string, byMember?: Record<string, number>): IncidentRecord => {
  const m = byMember ? new Map(Object.entries(byMember)) : undefined;
  const count = m ? [...m.values()].reduce((a, b) => a + b, 0) : 1;
  return { key: { region, incidentType, victimGender: 'trans-woman' }, count, ...(m ? { byMember: m } : {}) };
};

const ask = (...keys: Array<Record<string, string>>) => new Map(keys.map((k) => [coordsId(k), k] as const));

describe('aggregate', () => {
  const records = [
    rec('PE-TUM', 'homicide', { A: 1, B: 4 }),
    rec('PE-LMA', 'extortion', { A: 3 }),
    rec('PE-LMA', 'homicide', { C: 2 }),
    rec('PE-PIU', 'homicide', { B: 1 }),
  ];
  const ancestry = ancestryOf([{ region: { norte: ['PE-TUM', 'PE-PIU'], '*': ['norte', 'PE-LMA'] } }]);

  it('counts every asked coordinates, whatever the order of its dimensions and its "*" entries', () => {
    const asked = ask(
      { incidentType: 'homicide', region: 'PE-TUM' }, // not in sorted order
      { region: 'PE-TUM', incidentType: '*' },
      { region: '*', incidentType: '*' },
      { incidentType: 'homicide' },
      { victimGender: 'trans-woman', region: 'PE-LMA' },
    );
    const out = aggregate(records, asked, ancestry);
    const value = (k: Record<string, string>) => out.get(coordsId(k))!.value;
    expect(value({ region: 'PE-TUM', incidentType: 'homicide' })).toBe(5);
    expect(value({ region: 'PE-TUM' })).toBe(5);
    expect(value({})).toBe(11);
    expect(value({ incidentType: 'homicide' })).toBe(8);
    expect(value({ region: 'PE-LMA', victimGender: 'trans-woman' })).toBe(5);
    // only what was asked is answered (records also fall in coordinates nobody asked for)
    expect([...out.keys()].sort()).toEqual([...asked.keys()].sort());
  });

  it('gives each member’s share of a cell, and the distinct shares, largest first', () => {
    const out = aggregate(records, ask({ region: 'PE-TUM' }, { incidentType: 'homicide' }, { region: 'PE-LMA' }), ancestry);
    const tum = out.get(coordsId({ region: 'PE-TUM' }))!;
    expect(tum.shares).toEqual([4, 1]);
    expect(Object.fromEntries(tum.byMember!)).toEqual({ A: 1, B: 4 });
    const hom = out.get(coordsId({ incidentType: 'homicide' }))!;
    expect(Object.fromEntries(hom.byMember!)).toEqual({ A: 1, B: 5, C: 2 });
    expect(hom.shares).toEqual([5, 2, 1]);
    expect(out.get(coordsId({ region: 'PE-LMA' }))!.shares).toEqual([3, 2]);
  });

  it('counts a group of a hierarchy as the sum of its members', () => {
    const out = aggregate(records, ask({ region: 'norte' }, { region: 'norte', incidentType: 'homicide' }), ancestry);
    expect(out.get(coordsId({ region: 'norte' }))!.value).toBe(6);
    expect(Object.fromEntries(out.get(coordsId({ region: 'norte' }))!.byMember!)).toEqual({ A: 1, B: 5 });
    expect(out.get(coordsId({ region: 'norte', incidentType: 'homicide' }))!.value).toBe(6);
  });

  it('without member data: the counts, no shares and no byMember', () => {
    const plain = [rec('PE-TUM', 'homicide'), rec('PE-TUM', 'homicide'), rec('PE-LMA', 'theft')];
    const out = aggregate(plain, ask({ region: 'PE-TUM' }, { region: 'PE-CUS' }), ancestry);
    expect(out.get(coordsId({ region: 'PE-TUM' }))).toEqual({ value: 2, shares: [] });
    expect(out.get(coordsId({ region: 'PE-CUS' }))).toEqual({ value: 0, shares: [] });
  });
});
