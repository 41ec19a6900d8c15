// Property (issue 15, a reused dedupe tag as an oracle): random logs where members file reports
// that either form new incidents or join incidents already counted (with values of their own),
// each publication protected against the whole log; after every publication the FULL attacker
// model (global-helpers.ts, an independent LP) shows, for every "additions" change of every
// coordinates between consecutive versions, that the change can reach what any one member, or
// any two together, filed anew in it — so no member can prove that one of its reports joined an
// incident someone had already reported.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sim, fullModelInterval, type Incident, type Key } from './global-helpers.js';

const DOMAINS = { a: ['a1', 'a2', 'a3'] };
const K = 3;
const MEMBERS = ['m-0', 'm-1', 'm-2'];
const TABLES: string[][][] = [[['year', 'a']], [['a']]];

/** (new incident?, a index, member, which existing incident to join) */
const filing = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.nat());

/** Items each member filed at a version, per member: incidents it reported and joins it made (values it gave). */
function filedItems(incidents: readonly Incident[], key: Key): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const match = (k: Key) => Object.keys(key).every((d) => key[d] === '*' || k[d] === key[d]);
  const add = (m: string, item: string) => {
    if (!out.has(m)) out.set(m, new Set());
    out.get(m)!.add(item);
  };
  for (const i of incidents) {
    if (match(i.key)) for (const m of i.members) add(m, `${i.id}|${JSON.stringify(i.key)}`);
    for (const j of i.joins ?? []) if (match(j.key)) add(j.member, `${i.id}|${JSON.stringify(j.key)}`);
  }
  return out;
}

/** The most any one member, or (coalition 2) two together, filed at `after` and not at `before` (items counted once). */
function mostFiledNew(before: readonly Incident[], after: readonly Incident[], key: Key, coalition: number): number {
  const b = filedItems(before, key);
  const a = filedItems(after, key);
  let most = 0;
  for (const x of MEMBERS)
    for (const y of MEMBERS) {
      if (coalition < 2 && x !== y) continue;
      // the items x or y filed at `after` and not at `before` (x = y: one member)
      const anew = new Set([...(a.get(x) ?? []), ...(a.get(y) ?? [])].filter((i) => !b.get(x)?.has(i) && !b.get(y)?.has(i)));
      most = Math.max(most, anew.size);
    }
  return most;
}

describe('the filed rule, random logs, checked with the full model', () => {
  it('every "additions" change can reach what one member (or, with coalition 2, two) filed anew in it', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.record({ tables: fc.integer({ min: 0, max: TABLES.length - 1 }), filings: fc.array(filing, { maxLength: 4 }) }), {
          minLength: 2,
          maxLength: 3,
        }),
        fc.constantFrom(1, 2),
        async (initial, steps, coalition) => {
          const sim = new Sim(DOMAINS, {}, K, coalition);
          let seq = 0;
          let data: Incident[] = [];
          initial.forEach((n, a) => {
            for (let j = 0; j < n; j++) data.push({ id: `i${seq++}`, key: { a: DOMAINS.a[a]! }, members: [MEMBERS[seq % 3]!] });
          });
          for (const st of steps) {
            for (const [fresh, a, m, which] of st.filings) {
              const member = MEMBERS[m]!;
              const key = { a: DOMAINS.a[a]! };
              if (fresh || data.length === 0) data = [...data, { id: `i${seq++}`, key, members: [member] }];
              else {
                const at = which % data.length;
                const inc = data[at]!;
                data = data.map((x, i) => (i === at ? { ...inc, joins: [...(inc.joins ?? []), { member, key }] } : x));
              }
            }
            sim.set(2023, data);
            await sim.publish('s', TABLES[st.tables]!, [2023], { k: K });
          }
          const versions = sim.data.get(2023)!;
          for (let v = 2; v <= versions.length; v++) {
            if (sim.since(2023, v) !== 'additions') continue;
            for (const key of [{ a: '*' }, ...DOMAINS.a.map((a) => ({ a }))]) {
              const filed = mostFiledNew(versions[v - 2]!, versions[v - 1]!, key, coalition);
              const count = (l: Incident[]) => l.filter((i) => key.a === '*' || i.key.a === key.a).length;
              const d = count(versions[v - 1]!) - count(versions[v - 2]!);
              if (d >= filed) continue;
              checked++;
              const [, hi] = await fullModelInterval(sim, (x) => `${x(2023, v, key)} - ${x(2023, v - 1, key)}`);
              expect(hi, `2023@${v - 1}→${v} ${JSON.stringify(key)}: change ${d}, filed anew ${filed}`).toBeGreaterThanOrEqual(filed);
            }
          }
        },
      ),
      { numRuns: 30, seed: 15 },
    );
    expect(checked, 'cases where a change is below what was filed anew').toBeGreaterThan(5);
  }, 600_000);

  it('asks nothing more where nothing was filed anew: withdrawals alone give the same pattern as without the rule', async () => {
    const start: Incident[] = DOMAINS.a.flatMap((a, j) => Array.from({ length: 4 + 3 * j }, (_, n) => ({ id: `${a}-${n}`, key: { a }, members: ['m-0'] })));
    const patterns: string[][] = [];
    for (const withoutFiled of [false, true]) {
      const sim = new Sim(DOMAINS, {}, K);
      sim.set(2023, start);
      await sim.publish('s', TABLES[0]!, [2023], { k: K, withoutFiled });
      // withdrawals of k or more (not small): a "changes" version the rule must leave alone
      sim.set(
        2023,
        start.filter((i) => !['a2-0', 'a2-1', 'a2-2', 'a3-0', 'a3-1', 'a3-2', 'a3-3'].includes(i.id)),
      );
      const r = await sim.publish('s', TABLES[0]!, [2023], { k: K, withoutFiled });
      expect(sim.since(2023, 2)).toBe('changes');
      patterns.push(r.cells.map((c) => `${JSON.stringify(c.key)}=${c.count}`));
    }
    expect(patterns[0]).toEqual(patterns[1]);
    expect(patterns[0]!.filter((c) => c.endsWith('=null'))).toEqual([]); // nothing needs hiding here (one member, no small change)
  });
});
