// Property (issue 15, a reused dedupe tag as an oracle): random logs where members file reports
// that either form new incidents or join incidents already counted (with values of their own),
// each publication protected against the whole log; after every publication the FULL attacker
// model (global-helpers.ts, an independent LP) shows, for every "additions" change of every
// coordinates between consecutive versions, that the change can reach what any one member, or
// any two together, filed anew in it — so no member can prove that one of its reports joined an
// incident someone had already reported. The same over logs with withdrawals: every count, at
// every version, can reach what a member (or two) filed in it, and so can every change of an
// "additions" version; where that amount is small, the interval is the one a small count of that
// amount would need (hi ≥ k, width ≥ p), as in the world where nothing joined. (A change of a
// "changes" version is not judged by what was filed: others' withdrawals explain a shortfall.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildGlobalModel } from '../../server/disclosure/global/model.js';
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

/** Per coalition (one member, or with coalition 2 two together): the items it filed at `after`, and net of those at `before`. */
function filedByCoalition(before: readonly Incident[] | null, after: readonly Incident[], key: Key, coalition: number): number {
  const a = filedItems(after, key);
  const b = before ? filedItems(before, key) : new Map<string, Set<string>>();
  let most = 0;
  for (const x of MEMBERS)
    for (const y of MEMBERS) {
      if (coalition < 2 && x !== y) continue;
      const size = (m: Map<string, Set<string>>) => new Set([...(m.get(x) ?? []), ...(m.get(y) ?? [])]).size;
      most = Math.max(most, size(a) - size(b));
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

  it('with withdrawals: every count, and every change of an "additions" version, can reach what one member (or two) filed in it', async () => {
    // (op, a index, member, which incident): op 0 a new incident, 1 a join, 2 a withdrawal (a join's report, else the incident)
    const step = fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.nat());
    const checked = { change: 0, count: 0, small: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.record({ tables: fc.integer({ min: 0, max: TABLES.length - 1 }), filings: fc.array(step, { maxLength: 4 }) }), {
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
            for (const [op, a, m, which] of st.filings) {
              const key = { a: DOMAINS.a[a]! };
              const at = data.length === 0 ? -1 : which % data.length;
              const inc = data[at];
              if (op === 0 || !inc) data = [...data, { id: `i${seq++}`, key, members: [MEMBERS[m]!] }];
              else if (op === 1) data = data.map((x, i) => (i === at ? { ...inc, joins: [...(inc.joins ?? []), { member: MEMBERS[m]!, key }] } : x));
              else if (inc.joins?.length) data = data.map((x, i) => (i === at ? { ...inc, joins: inc.joins!.slice(1) } : x));
              else data = data.filter((_, i) => i !== at);
            }
            sim.set(2023, data);
            await sim.publish('s', TABLES[st.tables]!, [2023], { k: K });
          }
          const versions = sim.data.get(2023)!;
          const count = (l: Incident[], key: Key) => l.filter((i) => key.a === '*' || i.key.a === key.a).length;
          // what the rule asks of a quantity below the filed amount f: hi ≥ f, and a small count's interval if f is small
          const expectReach = async (what: string, f: number, target: Parameters<typeof fullModelInterval>[1]) => {
            const [lo, hi] = await fullModelInterval(sim, target);
            expect(hi, `${what}: hi`).toBeGreaterThanOrEqual(f);
            if (f >= 1 && f <= K - 1) {
              checked.small++;
              expect(hi, `${what}: hi of a small filed amount`).toBeGreaterThanOrEqual(K);
              expect(hi - lo, `${what}: width of a small filed amount`).toBeGreaterThanOrEqual(K);
            }
          };
          for (let v = 1; v <= versions.length; v++)
            for (const key of [{ a: '*' }, ...DOMAINS.a.map((a) => ({ a }))]) {
              const filed = filedByCoalition(null, versions[v - 1]!, key, coalition);
              if (count(versions[v - 1]!, key) < filed) {
                checked.count++;
                await expectReach(`count 2023@${v} ${JSON.stringify(key)}`, filed, (x) => x(2023, v, key));
              }
              if (v === 1) continue;
              const net = filedByCoalition(versions[v - 2]!, versions[v - 1]!, key, coalition);
              const d = count(versions[v - 1]!, key) - count(versions[v - 2]!, key);
              if (sim.since(2023, v) !== 'additions' || net <= 0 || d >= net) continue;
              checked.change++;
              await expectReach(
                `2023@${v - 1}→${v} (${sim.since(2023, v)}) ${JSON.stringify(key)}: change ${d}, filed net ${net}`,
                net,
                (x) => `${x(2023, v, key)} - ${x(2023, v - 1, key)}`,
              );
            }
        },
      ),
      { numRuns: 300, seed: 16 },
    );
    expect(checked.change, 'changes below what was filed in them').toBeGreaterThan(5);
    expect(checked.count, 'counts below what was filed in them').toBeGreaterThan(5);
    expect(checked.small, 'of which a small filed amount').toBeGreaterThan(5);
  }, 600_000);

  it('two worlds, a guess that joined (t) or not (u): the guessed cell gets the same rules in both', () => {
    // m-1 files a guess with a = a1. World u: nobody had reported the victim, a1 rises 4 → 5.
    // World t: m-0 had (in a2), the guess joins that incident: a1 stays 4, though m-1 filed 5 there.
    const rulesOf = (joined: boolean) => {
      const sim = new Sim(DOMAINS, {}, 6);
      const base: Incident[] = [
        ...Array.from({ length: 4 }, (_, n) => ({ id: `own${n}`, key: { a: 'a1' }, members: ['m-1'] })),
        ...Array.from({ length: 7 }, (_, n) => ({ id: `a2-${n}`, key: { a: 'a2' }, members: ['m-0'] })),
        ...Array.from({ length: 9 }, (_, n) => ({ id: `a3-${n}`, key: { a: 'a3' }, members: ['m-2'] })),
      ];
      sim.set(2023, base);
      sim.append('s', TABLES[0]!, [2023], [], 6); // the log's shape only: nothing published
      sim.set(
        2023,
        joined
          ? base.map((i) => (i.id === 'a2-0' ? { ...i, joins: [{ member: 'm-1', key: { a: 'a1' } }] } : i))
          : [...base, { id: 'guess', key: { a: 'a1' }, members: ['m-1'] }],
      );
      const m = buildGlobalModel(sim.next('s', TABLES[0]!, [2023], { k: 6 }).input);
      const at = (kind: string, a: string) => m.meta.findIndex((x) => x.kind === kind && x.at === '2023@2' && x.coords.a === a);
      return ['count', 'change'].map((kind) => {
        const id = at(kind, 'a1');
        expect(id, kind).toBeGreaterThanOrEqual(0);
        return { kind, need: m.rules.need[id], width: m.rules.width[id], lowAlt: m.rules.lowAlt[id], sensitive: m.sensitive[id] };
      });
    };
    const [t, u] = [rulesOf(true), rulesOf(false)];
    expect(u.find((r) => r.kind === 'count')).toMatchObject({ need: 6, width: 6, sensitive: 1 }); // 5 < k = 6: small
    expect(t).toEqual(u);
  });

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
