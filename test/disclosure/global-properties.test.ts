// Property: random sequences of publications over random series, tables, years and data changes
// (additions, withdrawals, amendments by 2–5 members), each protected against the whole log; after
// every publication the FULL attacker model (global-helpers.ts, an independent LP written from
// docs/release-format.md, with every coordinates at every version) shows, for every hidden small
// count (1..k−1) and every small change between consecutive versions of a year, an interval that
// does not give it away — hi ≥ k (plus the largest share of one member or two members together, for
// holdings) and width ≥ p for counts and "additions" changes; never inside ±[1, k−1] for changes
// that removed incidents.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sim, fullModelInterval, trueCount, type Incident, type Key } from './global-helpers.js';

const DOMAINS = { a: ['a1', 'a2', 'a3'], b: ['b1', 'b2'] };
const TABLES: string[][][] = [
  [['year', 'a']],
  [['a']],
  [['year', 'a', 'b']],
  [['year', 'b']],
  [
    ['year', 'a'],
    ['year', 'b'],
  ],
];
const K = 3;

interface Step {
  series: number;
  tables: number;
  years: readonly number[];
  adds: Array<[number, number, number, number]>;
  drops: number;
}

const step = fc.record({
  series: fc.integer({ min: 0, max: 1 }),
  tables: fc.integer({ min: 0, max: TABLES.length - 1 }),
  years: fc.constantFrom([2023], [2024], [2023, 2024]),
  // (year index, a, b, member)
  adds: fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 4 })), {
    maxLength: 6,
  }),
  drops: fc.integer({ min: 0, max: 2 }),
});

function keysOf(dims: string[]): Key[] {
  let keys: Key[] = [{}];
  for (const d of dims) keys = keys.flatMap((k) => ['*', ...DOMAINS[d as 'a' | 'b']].map((c) => ({ ...k, [d]: c })));
  return keys;
}

describe('global model, random logs, checked with the full model', () => {
  it('no small count and no small change is given away, after every publication', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 12, maxLength: 12 }),
        fc.array(step, { minLength: 2, maxLength: 4 }),
        fc.constantFrom(1, 2),
        async (initial, steps: Step[], coalition) => {
          const sim = new Sim(DOMAINS, {}, K, coalition);
          let seq = 0;
          const data = new Map<number, Incident[]>([
            [2023, []],
            [2024, []],
          ]);
          initial.forEach((n, i) => {
            const year = i < 6 ? 2023 : 2024;
            const a = DOMAINS.a[i % 3]!;
            const b = DOMAINS.b[Math.floor(i / 3) % 2]!;
            for (let j = 0; j < n; j++)
              data.get(year)!.push({ id: `i${seq++}`, key: { a, b }, members: seq % 7 === 0 ? [`m-${seq % 5}`, `m-${(seq + 1) % 5}`] : [`m-${seq % 5}`] });
          });
          for (const st of steps) {
            for (const [yi, a, b, m] of st.adds)
              data.get(2023 + yi)!.push({ id: `i${seq++}`, key: { a: DOMAINS.a[a]!, b: DOMAINS.b[b]! }, members: [`m-${m}`] });
            for (let d = 0; d < st.drops; d++) {
              const list = data.get(2023 + (d % 2))!;
              if (list.length > 0) list.splice((seq * 7 + d) % list.length, 1);
            }
            sim.set(2023, [...data.get(2023)!]);
            sim.set(2024, [...data.get(2024)!]);
            await sim.publish(`s${st.series}`, TABLES[st.tables]!, [...st.years], { k: K });
            // Issue 15: for every count just published, what the others reported (count minus any
            // one member's own incidents, or with coalition 2 any two members' together) is never a small positive number.
            const entry = sim.log[sim.log.length - 1]!;
            for (const c of entry.cells) {
              if (c.count === null) continue;
              const years = c.key.year !== undefined && c.key.year !== '*' ? [Number(c.key.year)] : entry.years;
              const { year: _y, ...coords } = c.key;
              const incidents = years.flatMap((y) => sim.data.get(y)![entry.versions[String(y)]! - 1]!);
              const { value, coalitions } = trueCount(incidents, coords, coalition);
              expect(value).toBe(c.count);
              for (const [m, share] of coalitions)
                expect(value - share === 0 || value - share >= K, `${m} on ${JSON.stringify(c.key)}: ${value} − ${share}`).toBe(true);
            }
          }
          // Every coordinates of every table of the log, at every version of every year.
          const dimsSets = new Set(sim.log.flatMap((e) => e.tables.map((t) => JSON.stringify(t.filter((d) => d !== 'year')))));
          const keys = [...dimsSets].flatMap((d) => keysOf(JSON.parse(d)));
          for (const [year, versions] of sim.data) {
            for (let v = 1; v <= versions.length; v++) {
              for (const key of keys) {
                const now = trueCount(versions[v - 1]!, key, coalition);
                if (now.value >= 1 && now.value < K) {
                  const [lo, hi] = await fullModelInterval(sim, (x) => x(year, v, key));
                  expect(hi, `count ${year}@${v} ${JSON.stringify(key)} = ${now.value}: [${lo}, ${hi}]`).toBeGreaterThanOrEqual(K);
                  expect(hi - lo).toBeGreaterThanOrEqual(K);
                }
                for (const [m, share] of now.coalitions) {
                  if (now.value - share < 1 || now.value - share >= K) continue;
                  const [, hi] = await fullModelInterval(sim, (x) => x(year, v, key));
                  expect(hi, `holdings of ${m}, ${year}@${v} ${JSON.stringify(key)}`).toBeGreaterThanOrEqual(share + K);
                }
                if (v === 1) continue;
                const before = trueCount(versions[v - 2]!, key).value;
                const d = now.value - before;
                if (d === 0 || Math.abs(d) >= K) continue;
                const [lo, hi] = await fullModelInterval(sim, (x) => `${x(year, v, key)} - ${x(year, v - 1, key)}`);
                const tell = `change ${year}@${v - 1}→${v} ${JSON.stringify(key)} = ${d}: [${lo}, ${hi}]`;
                if (d > 0) expect(lo <= 0 || hi >= K, tell).toBe(true);
                else expect(hi >= 0 || lo <= -K, tell).toBe(true);
              }
            }
          }
        },
      ),
      { numRuns: 25, seed: 14 },
    );
  }, 600_000);
});
