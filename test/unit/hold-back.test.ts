// Hold-back (server/services/hold-back.ts): which years a holdBack "auto" release keeps at the
// version its series last published. Written from the attacker's side: someone reading the log
// sees one bit per year (held back or not) and knows the rule; the set of pending changes that
// give each bit must never narrow a change of 1..k−1 (an interval of width ≥ p reaching k, or one
// that excludes every small change). Plus the members' side (what the others changed) and the
// total over years.
import { describe, expect, it } from 'vitest';
import { yearsToHold } from '../../server/services/hold-back.js';
import type { Incident } from '../../server/services/incidents.js';

const K = 5;
const P = 5;
let seq = 0;
/** n incidents of `type` in `year`, reported by `members`. */
const many = (n: number, year: number, type: string, members: string[] = ['m-c']): Incident[] =>
  Array.from({ length: n }, () => {
    const id = `i${seq++}`;
    return { id, year, key: { incidentType: type, region: 'PE-LMA' }, representative: id, reports: [id], members, hashes: [] };
  });
const YEAR_TOTAL = { year: '2023', incidentType: '*' };

describe('hold-back: the bit one headline change gives away', () => {
  it('held exactly while the change is 1..k+p−1 in size; the values giving each bit never narrow a small change', () => {
    const base = many(30, 2023, 'homicide');
    const bit = new Map<boolean, number[]>();
    for (let c = -12; c <= 30; c++) {
      const after = c >= 0 ? [...base, ...many(c, 2023, 'homicide')] : base.slice(0, base.length + c);
      const held = yearsToHold([YEAR_TOTAL], [{ year: 2023, before: base, after }], K + P, 2).includes(2023);
      expect(held, `change ${c}`).toBe(Math.abs(c) >= 1 && Math.abs(c) < K + P);
      bit.set(held, [...(bit.get(held) ?? []), c]);
    }
    // the attacker's knowledge from each bit, over the changes that give it
    for (const [held, cs] of bit) {
      const ups = cs.filter((c) => c > 0);
      if (ups.some((c) => c < K)) {
        expect(Math.max(...ups), `bit ${held}`).toBeGreaterThanOrEqual(K);
        expect(Math.max(...ups) - Math.min(...ups)).toBeGreaterThanOrEqual(P);
      }
    }
    expect(bit.get(false)!.filter((c) => c >= 1 && c < K)).toEqual([]);
  });

  it('what the others changed counts too: a large change that one member (or, with pairs, two) almost all made is held', () => {
    const base = [...many(20, 2023, 'homicide', ['m-a']), ...many(20, 2023, 'homicide', ['m-b'])];
    // +12: m-a added 10, others 2 → held for m-a's sake
    const mostlyA = [...base, ...many(10, 2023, 'homicide', ['m-a']), ...many(2, 2023, 'homicide', ['m-c'])];
    expect(yearsToHold([YEAR_TOTAL], [{ year: 2023, before: base, after: mostlyA }], K + P, 1)).toEqual([2023]);
    // +16 spread over four members, 4 each: everybody's rest is 12 ≥ k + p, not held
    const spread = [...base, ...['m-a', 'm-b', 'm-c', 'm-d'].flatMap((m) => many(4, 2023, 'homicide', [m]))];
    expect(yearsToHold([YEAR_TOTAL], [{ year: 2023, before: base, after: spread }], K + P, 1)).toEqual([]);
    // +22: m-a 10, m-b 10, m-c 2 → one at a time the rest is 12 (not held); m-a and m-b together leave 2: held with pairs
    const pair = [...base, ...many(10, 2023, 'homicide', ['m-a']), ...many(10, 2023, 'homicide', ['m-b']), ...many(2, 2023, 'homicide', ['m-c'])];
    expect(yearsToHold([YEAR_TOTAL], [{ year: 2023, before: base, after: pair }], K + P, 1)).toEqual([]);
    expect(yearsToHold([YEAR_TOTAL], [{ year: 2023, before: base, after: pair }], K + P, 2)).toEqual([2023]);
  });

  it('per incident type, per year, and the total over years (which holds every changed year)', () => {
    const b23 = many(30, 2023, 'homicide');
    const b24 = many(30, 2024, 'homicide');
    const a23 = [...b23, ...many(3, 2023, 'extortion')];
    const a24 = [...b24, ...many(20, 2024, 'homicide')];
    const changed = [
      { year: 2023, before: b23, after: a23 },
      { year: 2024, before: b24, after: a24 },
    ];
    // 2023's homicides did not change, its extortion did by 3; 2024's homicides by 20
    expect(yearsToHold([{ year: '2023', incidentType: 'homicide' }], changed, K + P, 2)).toEqual([]);
    expect(yearsToHold([{ year: '2023', incidentType: 'extortion' }], changed, K + P, 2)).toEqual([2023]);
    expect(yearsToHold([{ year: '2024', incidentType: '*' }], changed, K + P, 2)).toEqual([]);
    // the total over both years changed by 23: not held; with 2024 changing by −3 instead, by 0: not held either
    expect(yearsToHold([{ incidentType: '*' }], changed, K + P, 2)).toEqual([]);
    const down = [changed[0]!, { year: 2024, before: b24, after: b24.slice(3) }];
    expect(yearsToHold([{ incidentType: '*' }], down, K + P, 2)).toEqual([]);
    // 2023 +3 and 2024 +1: the total's change 4 holds both years
    const small = [changed[0]!, { year: 2024, before: b24, after: [...b24, ...many(1, 2024, 'homicide')] }];
    expect(yearsToHold([{}], small, K + P, 2)).toEqual([2023, 2024]);
  });

  // The dedupe oracle (issue 15): member B files a report under a guessed victim's tag, and K + P
  // more of its own. In world t another organisation had reported her (B's report joins that
  // incident: the total rises by K + P, B is now a member of an incident counted before); in u
  // nobody had (a new incident: the total rises by K + P + 1). B's own net change, counted by
  // membership, would be K + P + 1 in both, leaving −1 in t and 0 in u: held back in t only.
  // Counted by the incidents added and removed, B's share is K + P in t and K + P + 1 in u: the
  // rest is 0 in both, and the decision is the same.
  it('a member filing under a guessed tag gets the same decision whether its report joined or not', () => {
    const base = [...many(29, 2023, 'homicide', ['m-a']), ...many(12, 2023, 'homicide', ['m-c'])];
    const victim = many(1, 2023, 'homicide', ['m-a'])[0]!;
    const own = many(K + P, 2023, 'homicide', ['m-b']);
    const t = { before: [...base, victim], after: [...base, { ...victim, members: ['m-a', 'm-b'] }, ...own] };
    const u = { before: [...base, victim], after: [...base, victim, ...many(1, 2023, 'homicide', ['m-b']), ...own] };
    for (const coalition of [1, 2]) {
      const [ht, hu] = [t, u].map((w) => yearsToHold([YEAR_TOTAL], [{ year: 2023, ...w }], K + P, coalition));
      expect(ht, `coalition ${coalition}`).toEqual(hu);
    }
  });
});
