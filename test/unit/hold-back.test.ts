// Hold-back (server/services/hold-back.ts): which years a holdBack "auto" release keeps at the
// version its series last published. Written from the attacker's side: someone reading the log
// sees one bit per year (held back or not) and knows the rule; the set of pending changes that
// give each bit must never narrow a change of 1..k−1 (an interval of width ≥ p reaching k, or one
// that excludes every small change). Plus the members' side (what the others changed), the total
// over years, and several published values of one headline. The HTTP side, with the dedupe
// oracle and several series: test/adversarial/redteam-holdback.test.ts.
import { describe, expect, it } from 'vitest';
import { type Comparison, yearsToHold } from '../../server/services/hold-back.js';
import type { ReportFacts } from '../../server/services/incidents.js';

const K = 5;
const P = 5;
let seq = 0;
/** n counted reports of `type` in `year`, by member `m`. */
const many = (n: number, year: number, type: string, m = 'm-c'): ReportFacts[] =>
  Array.from({ length: n }, () => ({
    id: `r${seq++}`,
    memberKeyId: m,
    dedupeTag: null,
    reportHash: '',
    status: 'active',
    year,
    key: { incidentType: type, region: 'PE-LMA' },
  }));
const TOTAL = { incidentType: '*' };
const one = (key: Record<string, string>, year: number, before: ReportFacts[], after: ReportFacts[]): Comparison => ({ key, years: [{ year, before, after }] });

describe('hold-back: the bit one headline change gives away', () => {
  it('held exactly while the change is 1..k+p−1 in size; the values giving each bit never narrow a small change', () => {
    const base = many(30, 2023, 'homicide');
    const bit = new Map<boolean, number[]>();
    for (let c = -12; c <= 30; c++) {
      const after = c >= 0 ? [...base, ...many(c, 2023, 'homicide')] : base.slice(0, base.length + c);
      const held = yearsToHold([one(TOTAL, 2023, base, after)], K + P, 2).includes(2023);
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
    const base = [...many(20, 2023, 'homicide', 'm-a'), ...many(20, 2023, 'homicide', 'm-b')];
    // +12: m-a added 10, others 2 → held for m-a's sake
    const mostlyA = [...base, ...many(10, 2023, 'homicide', 'm-a'), ...many(2, 2023, 'homicide', 'm-c')];
    expect(yearsToHold([one(TOTAL, 2023, base, mostlyA)], K + P, 1)).toEqual([2023]);
    // +16 spread over four members, 4 each: everybody's rest is 12 ≥ k + p, not held
    const spread = [...base, ...['m-a', 'm-b', 'm-c', 'm-d'].flatMap((m) => many(4, 2023, 'homicide', m))];
    expect(yearsToHold([one(TOTAL, 2023, base, spread)], K + P, 1)).toEqual([]);
    // +22: m-a 10, m-b 10, m-c 2 → one at a time the rest is 12 (not held); m-a and m-b together leave 2: held with pairs
    const pair = [...base, ...many(10, 2023, 'homicide', 'm-a'), ...many(10, 2023, 'homicide', 'm-b'), ...many(2, 2023, 'homicide', 'm-c')];
    expect(yearsToHold([one(TOTAL, 2023, base, pair)], K + P, 1)).toEqual([]);
    expect(yearsToHold([one(TOTAL, 2023, base, pair)], K + P, 2)).toEqual([2023]);
    // an organisation's two keys are one member: m-a1 and m-a2 of organisation m-a add 20, others 2
    const twoKeys = [...base, ...many(10, 2023, 'homicide', 'm-a1'), ...many(10, 2023, 'homicide', 'm-a2'), ...many(2, 2023, 'homicide', 'm-c')];
    const linked = twoKeys.map((r) => (r.memberKeyId.startsWith('m-a') ? { ...r, holder: 'm-a' } : r));
    expect(yearsToHold([one(TOTAL, 2023, base, twoKeys)], K + P, 1)).toEqual([]);
    expect(yearsToHold([one(TOTAL, 2023, base, linked)], K + P, 1)).toEqual([2023]);
  });

  it('per incident type, per year, the total over years (which holds every changed year), and any of several published values', () => {
    const b23 = many(30, 2023, 'homicide');
    const b24 = many(30, 2024, 'homicide');
    const a23 = [...b23, ...many(3, 2023, 'extortion')];
    const a24 = [...b24, ...many(20, 2024, 'homicide')];
    // 2023's homicides did not change, its extortion did by 3; 2024's homicides by 20
    expect(yearsToHold([one({ incidentType: 'homicide' }, 2023, b23, a23)], K + P, 2)).toEqual([]);
    expect(yearsToHold([one({ incidentType: 'extortion' }, 2023, b23, a23)], K + P, 2)).toEqual([2023]);
    expect(yearsToHold([one(TOTAL, 2024, b24, a24)], K + P, 2)).toEqual([]);
    const both = (x24: ReportFacts[]): Comparison => ({
      key: TOTAL,
      years: [
        { year: 2023, before: b23, after: a23 },
        { year: 2024, before: b24, after: x24 },
      ],
    });
    // the total over both years: +23 not held; +3 − 3 = 0 not held; +3 + 1 = 4 holds both years
    expect(yearsToHold([both(a24)], K + P, 2)).toEqual([]);
    expect(yearsToHold([both(b24.slice(3))], K + P, 2)).toEqual([]);
    expect(yearsToHold([both([...b24, ...many(1, 2024, 'homicide')])], K + P, 2)).toEqual([2023, 2024]);
    // one headline published at two versions (two series): held if either is 1..k+p−1 away
    const v1 = many(30, 2023, 'homicide');
    const v2 = [...v1, ...many(12, 2023, 'homicide')];
    const now = [...v2, ...many(3, 2023, 'homicide')]; // 15 from v1, 3 from v2
    expect(yearsToHold([one(TOTAL, 2023, v1, now)], K + P, 2)).toEqual([]);
    expect(yearsToHold([one(TOTAL, 2023, v1, now), one(TOTAL, 2023, v2, now)], K + P, 2)).toEqual([2023]);
  });

  // The dedupe oracle (issue 15): member B files a report under a guessed victim's tag. Counted as
  // incidents, the change is 0 where another organisation had reported her (B's report joins her
  // incident) and 1 where nobody had. Counted as filed, B's report is one more report in both: the
  // same reports, the same decision, whatever B files besides.
  it('changes are counted as filed: a report that joined an incident counts as much as a new one', () => {
    const base = [...many(29, 2023, 'homicide', 'm-a'), ...many(12, 2023, 'homicide', 'm-c')];
    const guess = { ...many(1, 2023, 'homicide', 'm-b')[0]!, dedupeTag: 'f'.repeat(64) };
    for (const own of [0, 4, 9, 10]) {
      const after = [...base, guess, ...many(own, 2023, own % 2 ? 'threat' : 'homicide', 'm-b')];
      const held = yearsToHold([one(TOTAL, 2023, base, after), one({ incidentType: 'homicide' }, 2023, base, after)], K + P, 2);
      // 1 + own filed: held while that is below k + p, for the total or for homicides
      const homicides = 1 + (own % 2 ? 0 : own);
      expect(held, `own ${own}`).toEqual(1 + own < K + P || homicides < K + P ? [2023] : []);
    }
  });
});
