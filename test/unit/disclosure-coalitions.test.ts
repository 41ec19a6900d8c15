// coalitions.ts: the shares the holdings rule takes off — of one member, and of two members
// together (the incidents either reported, an incident both reported counted once) — against a
// brute force over random incidents, and the changes between two holdings likewise.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addIncident, coalitionCounts, coalitionNets, coalitionShares, type Holdings } from '../../server/disclosure/global/coalitions.js';

const MEMBERS = ['m0', 'm1', 'm2', 'm3'];
const incidents = fc.array(fc.subarray(MEMBERS, { minLength: 1, maxLength: 3 }), { maxLength: 12 });

function holdingsOf(list: string[][]): Holdings {
  const byMember = new Map<string, number>();
  const byPair = new Map<string, number>();
  for (const members of list) addIncident(byMember, byPair, members);
  return { byMember, byPair };
}

/** Incidents any member of `coalition` reported, counted directly. */
const reportedBy = (list: string[][], coalition: string[]) => list.filter((ms) => ms.some((m) => coalition.includes(m))).length;

/** Every coalition of one or two members among `present`. */
function coalitionsOf(present: string[], size: number): string[][] {
  const one = present.map((m) => [m]);
  return size < 2 ? one : [...one, ...present.flatMap((a, i) => present.slice(i + 1).map((b) => [a, b]))];
}

const sorted = (xs: Iterable<number>) => [...xs].sort((a, b) => a - b);

describe('coalition shares', () => {
  it('a known answer: an incident two members both reported counts once in their share', () => {
    const h = holdingsOf([['a'], ['a', 'b'], ['b'], ['c']]);
    const counts = coalitionCounts(h, 2);
    expect(Object.fromEntries(counts)).toEqual({ a: 2, b: 2, c: 1, 'a\u0000b': 3, 'a\u0000c': 3, 'b\u0000c': 3 });
    expect(sorted(coalitionShares(h, 2))).toEqual([1, 2, 3]);
    expect(sorted(coalitionShares(h, 1))).toEqual([1, 2]);
    expect(coalitionShares(undefined, 2)).toEqual([]);
  });

  it('equal a direct count of the incidents any member of the coalition reported', () => {
    fc.assert(
      fc.property(incidents, fc.constantFrom(1, 2), (list, size) => {
        const present = MEMBERS.filter((m) => list.some((ms) => ms.includes(m)));
        const want = new Set(coalitionsOf(present, size).map((c) => reportedBy(list, c)));
        want.delete(0);
        expect(sorted(coalitionShares(holdingsOf(list), size))).toEqual(sorted(want));
      }),
      { numRuns: 300, seed: 15 },
    );
  });

  it("nets: each coalition's count after minus before, members absent on one side counting 0", () => {
    fc.assert(
      fc.property(incidents, incidents, fc.constantFrom(1, 2), (before, after, size) => {
        const present = MEMBERS.filter((m) => [...before, ...after].some((ms) => ms.includes(m)));
        const want = new Set(coalitionsOf(present, size).map((c) => reportedBy(after, c) - reportedBy(before, c)));
        want.delete(0);
        expect(sorted(coalitionNets(holdingsOf(before), holdingsOf(after), size))).toEqual(sorted(want));
      }),
      { numRuns: 300, seed: 16 },
    );
  });
});
