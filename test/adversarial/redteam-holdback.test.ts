// Red-team attacks on the hold-back rule (services/hold-back.ts, `holdBack: "auto"`), from the
// attacker's side: the attacker holds every publication, knows its own reports, and may be a
// member organisation or the publisher. Claim under attack (SECURITY.md "Headlines",
// docs/release-format.md "Headlines"): the `heldBack` bit never narrows a change of 1..k−1, and a
// member filing under a guessed dedupe tag gets the same decision whether or not its report joined
// an incident already counted. k = 5, p = k, so the hold window is |change| in 1..9.
// Safe behaviour is asserted with `it`; attacks that work today are `it.fails` marked VULNERABLE.
// Fixed after this review (were it.fails): the bits of several hold-back series at different
// published totals pinned a pending change to 1..4 (each series compared with its own previous
// release only; now every series compares with every exactly published value of the headline);
// the dedupe oracle through the plain change c and the year × type headline (changes are now
// counted as filed); a year recorded first by another series was never held (bug).
// Out of the model (it.fails): two colluding organisations under coalition 1 pin o exactly.
// Defended (it): a member's own additions, withdrawals and type moves (one key, two keys of one
// organisation, two organisations under coalition 2); the dedupe oracle once B's own reports push
// every headline into the same region (4, 9 of another type; 10 like the victim).
// SQLite only and small data, to keep the run light.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, dedupeTag } from '../../crypto/index.js';
import { enrolMember, signed, startTestApp, type SigningKey, type TestApp, submitReports as submit } from '../helpers/app.js';
import { publish } from '../helpers/releases.js';

const K = 5;
const LIMIT = 2 * K; // k + p, p = k by default
const SECRET = Buffer.alloc(32, 7).toString('base64');

type Cell = { key: Record<string, string>; count: number | null; suppressed: boolean };
type Manifest = {
  tables: Array<{ dimensions: string[]; cells: Cell[] }>;
  data: Array<{ year: number; version: number; since: string | null; heldBack: boolean }>;
};
const find = (m: Manifest, key: Record<string, string>): Cell => {
  const c = m.tables.flatMap((t) => t.cells).find((x) => canonicalJson(x.key) === canonicalJson(key));
  if (!c) throw new Error(`no cell ${JSON.stringify(key)}`);
  return c;
};
const near = (x: number) => Math.abs(x) >= 1 && Math.abs(x) < LIMIT;
const held = (m: Manifest, year = 2023) => m.data.find((d) => d.year === year)!.heldBack;
const total = (m: Manifest) => find(m, { year: '2023', region: '*' }).count;

/** Withdraws the last `n` of `ids` (reports of `key`). */
async function withdrawOwn(t: TestApp, key: SigningKey, ids: string[], n: number): Promise<void> {
  for (const id of ids.slice(-n)) {
    const res = await signed(t.app, 'POST', `/api/v1/reports/${id}/withdraw`, key, {});
    if (res.status !== 200) throw new Error(`withdraw failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/**
 * The run of consecutive changes e (around the true one) the attacker cannot rule out, given each
 * series' bit and its offset (its previous release's exact total minus the last exact total): a
 * series not held says |e + offset| ∉ 1..k+p−1; a held one at offset 0 says nothing certain (a
 * member's or pair's net change could hold it; counted as allowing 0).
 */
function consistentRun(truth: number, bits: Array<[boolean, number]>): number[] {
  const ok = (e: number) => bits.every(([h, off]) => h || !near(e + off));
  const run = [truth];
  for (let e = truth - 1; e >= truth - 40 && ok(e); e--) run.unshift(e);
  for (let e = truth + 1; e <= truth + 40 && ok(e); e++) run.push(e);
  return run;
}

describe('several hold-back series whose previous releases sit at different published totals', () => {
  // Two worlds that differ only in the secret: the 2023 total moved by e = 3 (t) or e = 7 (u)
  // since the last exactly published total (52).
  const worlds: Array<{ e: number; t: TestApp; bits: boolean[]; published: boolean[]; totals: Array<number | null> }> = [];
  const req = (series: string) => ({ series, filter: { year: 2023 }, tables: [['year', 'region']], holdBack: 'auto' });
  beforeAll(async () => {
    for (const e of [3, 7]) {
      const t = await startTestApp('sqlite', { minK: K });
      const [a, b, c] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
      await submit(t, a, 30, { year: 2023, region: 'PE-LMA' });
      await submit(t, c, 12, { year: 2023, region: 'PE-CUS' });
      const totals: Array<number | null> = [];
      totals.push(total((await publish(t, req('uno'))).manifest)); // 42 at v1
      const ids = await submit(t, b, 10, { year: 2023, region: 'PE-LMA' });
      totals.push(total((await publish(t, req('dos'))).manifest)); // 52 at v2 (its first release)
      ids.push(...(await submit(t, b, 14, { year: 2023, region: 'PE-LMA' })));
      totals.push(total((await publish(t, req('tres'))).manifest)); // 66 at v3 (its first release)
      await withdrawOwn(t, b, ids, 14 - e); // now 52 + e: B's own withdrawals, the secret change
      // The publisher's dry runs (nothing logged, nothing recorded): each series' bit on the same data.
      const bits: boolean[] = [];
      for (const s of ['uno', 'dos', 'tres']) {
        const res = await signed(t.app, 'POST', '/api/v1/releases/dry-run', t.publisher, req(s));
        if (res.status !== 200 && res.status !== 201) throw new Error(`dry run: ${res.status} ${JSON.stringify(res.body)}`);
        bits.push(held(res.body));
      }
      // Then the releases themselves, the held ones first: what every member sees.
      const published: Record<string, boolean> = {};
      for (const s of ['dos', 'tres', 'uno']) published[s] = held((await publish(t, req(s))).manifest);
      worlds.push({ e, t, bits, totals, published: [published.uno!, published.dos!, published.tres!] });
    }
  }, 120_000);
  afterAll(async () => {
    for (const w of worlds) await w.t.close();
  });

  it('the three totals are published exactly (42, 52, 66): the offsets the attacker uses', () => {
    for (const w of worlds) expect(w.totals).toEqual([42, 52, 66]);
  });

  // FIXED (was VULNERABLE: the bit narrowed a change of 1..k−1 when several series were combined).
  // Each hold-back series compared the data with ITS OWN previous release. Now every series
  // compares each headline with every version at which any publication showed it exactly
  // (hold-back.ts), so the bits of all series are one function of the data and the log. Before: Series "uno", "dos", "tres" last
  // published the exact totals 42, 52, 66. Now the total is 52 + e (e secret; 3 here). A "not
  // held" bit says |now − P| ∉ 1..9 for that series' P (the plain-change term cannot be hidden by
  // the member terms: the rule is an OR). So:
  //   uno not held ⇒ |10 + e| ∉ 1..9 ⇒ e ∉ −19..−11, −9..−1;
  //   tres not held ⇒ |e − 14| ∉ 1..9 ⇒ e ∉ 5..13, 15..23;
  //   dos held ⇒ (e ≠ 0, barring cancelling churn).
  // Together: e ∈ {1, 2, 3, 4} (or 0, −10, 14, |e| ≥ 20): the change since the published 52 is
  // SMALL, exactly the statement the rule promises never to make. With e = 7, "tres" is held
  // instead, so the bits separate 1..4 from 5..9. More series at other published totals (spaced
  // ≥ k apart) cut 1..4 further (a series at 64 would split {1, 2} from {3, 4}).
  // Fix: decide a year's hold from the changes since EVERY exactly published count of each
  // headline (every version any series published it at, plus its other series' hidden ones), not
  // only since this series' previous release: hold when any of them is in 1..k+p−1 (or its
  // members' complement is); or stop publishing the bit (hold silently) and let the LP protect the
  // old version as a published view; or only allow one hold-back series per year set.
  // Since dry runs look only at data a publication already used (releases.ts), their bits carry
  // nothing about the pending change: the same in both worlds (none held).
  it('the dry-run bits of three series do not tell that the pending change is in 1..k−1', () => {
    expect(worlds.map((w) => w.bits)).toEqual(worlds.map(() => [false, false, false]));
  });

  // DEFENDED (now by the rule: every series gives the same bit). Before the fix, by accident: a
  // member sees only the signed releases. The first series published
  // without a hold records the new data version; every later series then finds the year "not
  // fresh" (releases.ts heldYears skips `!c.fresh`) and is never held, whatever its change: its
  // bit says nothing (the attacker sees it reuse the version). So a member gets the held series'
  // bits and one unheld one: here dos H, tres N ⇒ e ∈ −9..−1 ∪ {0..4}, which reaches k. Note that
  // fixing the `!c.fresh` skip (which is a bug: "not held" then does not mean "every change is 0
  // or ≥ k + p") would hand the member all three bits, i.e. the attack above.
  it('the published bits (held series first) leave the member an interval reaching k', () => {
    for (const w of worlds) {
      const [, dos, tres] = w.published;
      const run = consistentRun(w.e, [
        [dos!, 0],
        [tres!, -14],
      ]);
      expect(
        run.some((e) => Math.abs(e) >= K),
        `e = ${w.e}: published ${w.published}, interval ${run}`,
      ).toBe(true);
    }
  });

  it('(the bits themselves: the same for every series, in dry runs and published)', () => {
    // before the fix: e = 3 → uno N, dos H, tres N; e = 7 → N, H, H
    for (const w of worlds) {
      expect(new Set(w.bits).size, `e = ${w.e}: dry runs ${w.bits}`).toBe(1);
      expect(new Set(w.published).size, `e = ${w.e}: published ${w.published}`).toBe(1);
    }
  });
});

describe('the dedupe oracle through hold-back (issue 15)', () => {
  // World t: A reported the victim B guesses (tag `guessed`); world u: A reported another victim.
  // Every count is the same in both worlds. B files one report under the guessed tag (plus `own`
  // new reports of its own), then the series with holdBack "auto" publishes again; B reads the
  // 2023 (or 2024) `heldBack` bit of the signed release.
  const known = { year: 2023, region: 'PE-LMA', incidentType: 'homicide' };
  const guessed = dedupeTag(SECRET, 'Victima Conocida, Lima, 2023');
  const apps: TestApp[] = [];
  interface Case {
    own: number;
    /** B's own new reports: like the victim's (same year, region, type) or of another type and region. */
    ownLike?: 'victim' | 'other';
    /** Over B's guessed report (e.g. other values, another year). */
    guess?: Record<string, unknown>;
    years?: number[];
  }
  async function world(reported: boolean, c: Case): Promise<boolean[]> {
    const t = await startTestApp('sqlite', { minK: K });
    apps.push(t);
    const [a, b, o] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
    await submit(t, a, 29, known);
    await submit(t, a, 1, { ...known, dedupeTag: reported ? guessed : dedupeTag(SECRET, 'Otra Victima, Lima, 2023') });
    await submit(t, o, 12, { year: 2023, region: 'PE-CUS' });
    for (const y of c.years ?? []) if (y !== 2023) await submit(t, o, 20, { year: y, region: 'PE-CUS' });
    const filter = c.years ? { years: c.years } : { year: 2023 };
    const req = {
      series: 'regiones',
      filter,
      tables: [
        ['year', 'region'],
        ['year', 'incidentType'],
      ],
      holdBack: 'auto',
    };
    await publish(t, req);
    await submit(t, b, 1, { ...known, dedupeTag: guessed, ...(c.guess ?? {}) });
    const like = c.ownLike === 'victim' ? known : { year: 2023, region: 'PE-CUS', incidentType: 'sexual-violence' };
    if (c.own > 0) await submit(t, b, c.own, like);
    const m = (await publish(t, req)).manifest as Manifest;
    return m.data.map((d) => d.heldBack);
  }
  afterAll(async () => {
    for (const t of apps) await t.close();
  });
  const same = async (c: Case) => {
    const bits = [await world(true, c), await world(false, c)];
    expect(bits[0], `${JSON.stringify(c)}: reported → ${bits[0]}, not reported → ${bits[1]}`).toEqual(bits[1]);
  };

  // FIXED (was VULNERABLE): changes are now counted as filed (each counted report one, whether or
  // not it joined an incident), so B's report is one more report in both worlds. Before: the
  // header of hold-back.ts said the decision was the same in both worlds because an
  // incident counted before adds nothing to B's net d. True of c − d (0 in both), but the rule also
  // tests the plain change c: 0 when B's report joined the victim's incident (t), 1 when it made a
  // new one (u). So the 2023 bit is "not held" if the victim was already reported, "held" if not:
  // B learns whether its guess was reported, from one signed release. Fix: decide on the changes
  // as filed (the LP's filed rule): count each report a member filed since as a new incident of
  // its own values in c and in d, whether or not it joined one (c_filed = c + joined), so both
  // worlds see c = 1; or hold a year whenever a member filed into it under a tag already counted
  // (both worlds then hold: B's filing alone decides).
  it('one report under the guessed tag, nothing else: the same bit', () => same({ own: 0 }), 60_000);

  it('with 4 own new reports of another type: the same bit (held in both)', () => same({ own: 4, ownLike: 'other' }), 60_000);
  it('with 9 own new reports of another type: the same bit (held in both)', () => same({ own: 9, ownLike: 'other' }), 60_000);
  it('with 10 own new reports like the victim: the same bit (c = 10 or 11, both far)', () => same({ own: 10, ownLike: 'victim' }), 60_000);

  // FIXED (was VULNERABLE), as above. B pushes the year total past k + p with 10 reports of another type, so the year
  // headline is far in both worlds (10 vs 11); but the year × homicide headline the previous
  // release published changes by 0 (t) or 1 (u): held in u only. Fix: as above.
  it('with 10 own new reports of another type: the same bit (the per-type headline)', () => same({ own: 10, ownLike: 'other' }), 60_000);

  // The guessed report with other values (Cusco instead of Lima): it still joins the victim's
  // incident in t (the representative keeps Lima), and is a new Cusco incident in u.
  it('one report under the guessed tag with other values: the same bit', () => same({ own: 0, guess: { region: 'PE-CUS' } }), 60_000);

  // The guessed report in 2024 (the victim is a 2023 incident), a series over 2023 and 2024: in t
  // it is `extra` in 2024 (joined the 2023 incident); in u a new 2024 incident.
  it('one report under the guessed tag in another year: the same bits', () => same({ own: 0, guess: { year: 2024 }, years: [2023, 2024] }), 60_000);
});

describe('members steering the decision with their own reports (two keys, coalitions)', () => {
  // C (the victims' organisation) adds o = 2 to Lima 2023 after release 1: the secret. The attacker
  // holds keys A1 and A2 and adds a own reports with each (a = 5..9, one more each per release),
  // publishing after each step with holdBack "auto". Were only A1's net a taken off, |c − d_A1| =
  // a + o would cross k + p = 10 at a = 10 − o, and the first release not held would give o = 10 − a.
  const apps: TestApp[] = [];
  async function scan(coalition: 1 | 2, keys: 'one' | 'linked' | 'unlinked', o = 2): Promise<Array<[number, boolean]>> {
    const t = await startTestApp('sqlite', { minK: K, holdingsCoalition: coalition });
    apps.push(t);
    const [c, d, a1] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
    const a2 = keys === 'one' ? a1 : keys === 'linked' ? await enrolMember(t, a1.keyId) : await enrolMember(t);
    await submit(t, c, 30, { year: 2023, region: 'PE-LMA' });
    await submit(t, d, 12, { year: 2023, region: 'PE-CUS' });
    const req = { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']], holdBack: 'auto' };
    await publish(t, req);
    await submit(t, c, o, { year: 2023, region: 'PE-LMA' });
    const out: Array<[number, boolean]> = [];
    for (let a = 5; a <= 9; a++) {
      const step = a === 5 ? 5 : 1;
      await submit(t, a1, step, { year: 2023, region: 'PE-ARE' });
      await submit(t, a2, step, { year: 2023, region: 'PE-ARE' });
      out.push([a, held((await publish(t, req)).manifest)]);
      if (!out[out.length - 1]![1]) break;
    }
    return out;
  }
  afterAll(async () => {
    for (const t of apps) await t.close();
  });
  /** What the attacker computes: o = 10 − (the first a not held), if any. */
  const pinned = (steps: Array<[number, boolean]>): number | null => {
    const first = steps.find(([, h]) => !h);
    return first ? LIMIT - first[0] : null;
  };

  it('one key, default coalition 2: every release held (|c − d_A| = o = 2 whatever A adds)', async () => {
    const steps = await scan(2, 'one');
    expect(pinned(steps), JSON.stringify(steps)).toBeNull();
  }, 60_000);

  it('two unlinked keys, default coalition 2: every release held (the pair A1+A2 is taken off too)', async () => {
    const steps = await scan(2, 'unlinked');
    expect(pinned(steps), JSON.stringify(steps)).toBeNull();
  }, 60_000);

  it('two keys of one organisation, coalition 1: every release held (one organisation, one d)', async () => {
    const steps = await scan(1, 'linked');
    expect(pinned(steps), JSON.stringify(steps)).toBeNull();
  }, 60_000);

  // Withdrawals (a "changes" version) and a move between incident types: A withdraws w of its 20
  // counted homicides and files w threats instead (w = 1..12), so the year total moves by o only
  // and each type headline by ∓w (+o); C's o = 2 homicides stay secret. Every release held:
  // |c − d_A| = o for the total and for homicide, whatever w.
  it('one member withdrawing and moving its own reports between types: every release held', async () => {
    const t = await startTestApp('sqlite', { minK: K });
    apps.push(t);
    const [a, c, d] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
    const mine = await submit(t, a, 20, { year: 2023, region: 'PE-ARE' });
    await submit(t, c, 30, { year: 2023, region: 'PE-LMA' });
    await submit(t, d, 12, { year: 2023, region: 'PE-CUS', incidentType: 'threat' });
    const req = { series: 'tipos', filter: { year: 2023 }, tables: [['year', 'incidentType']], holdBack: 'auto' };
    await publish(t, req);
    await submit(t, c, 2, { year: 2023, region: 'PE-LMA' });
    const bits: boolean[] = [];
    for (let w = 1; w <= 12; w++) {
      await withdrawOwn(t, a, mine.slice(w - 1, w), 1);
      await submit(t, a, 1, { year: 2023, region: 'PE-ARE', incidentType: 'threat' });
      bits.push(held((await publish(t, req)).manifest));
    }
    expect(bits).toEqual(Array(12).fill(true));
  }, 60_000);

  // OUTSIDE THE MODEL (not a break of the claim; recorded as what coalition 1 concedes). With
  // CONTAMOS_HOLDINGS_COALITION=1 two colluding organisations are not defended, and here they pin
  // o exactly: terms |c| = 2a + o, |c − d_A1| = |c − d_A2| = a + o, |c − d_C| = 2a; the first
  // release not held is a = 8, so o = 10 − 8 = 2. (The unheld release then publishes the total,
  // 42 + 16 + 2 = 60, which with coalition 1 gives the same o to the pair anyway.) Kept as it.fails
  // asserting the safe behaviour so that a stricter rule shows up here.
  it.fails('two unlinked keys, coalition 1: the pair cannot pin o (out of the model)', async () => {
    const steps = await scan(1, 'unlinked');
    expect(pinned(steps), JSON.stringify(steps)).toBeNull();
  }, 60_000);
});

describe('a year recorded first by another series (heldYears skips years not "fresh")', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: K });
    const [a, c] = [await enrolMember(t), await enrolMember(t)];
    await submit(t, a, 30, { year: 2023, region: 'PE-LMA' });
    await submit(t, c, 12, { year: 2023, region: 'PE-CUS' });
  });
  afterAll(async () => t?.close());

  // FIXED (heldYears now compares the chosen version, fresh or not, with every version at which a
  // publication showed the headline). Was a BUG (not a leak: the log shows the version was recorded before, so the attacker discounts the
  // bit, and the linear program still hides the small change). releases.ts heldYears only looks at
  // years whose chosen version is `fresh`; when another series (here one without hold-back) has
  // already recorded the current data, the year counts as unchanged for the hold-back series,
  // which then publishes it "not held" although its change since its own previous release is 3:
  // SECURITY.md's "not held back says every change is 0 or ≥ k + p" is false for it, and the
  // headline the rule meant to keep is hidden instead. Fix: drop `!c.fresh ||` in heldYears (the
  // year changed whenever the series' previous version is older than the chosen one). NOT applied
  // here: it would hand a member every series' bit in the published releases, i.e. the
  // several-series attack above, which needs its own fix first.
  it('a hold-back series holds a small change even after another series recorded it', async () => {
    const auto = { series: 'con-retencion', filter: { year: 2023 }, tables: [['year', 'region']], holdBack: 'auto' };
    await publish(t, auto); // 42
    await submit(t, (await enrolMember(t)) as SigningKey, 3, { year: 2023, region: 'PE-ARE' });
    const other = await publish(t, { series: 'sin-retencion', filter: { year: 2023 }, tables: [['year', 'region']] });
    expect(other.manifest.data[0].version).toBe(2);
    const r = await publish(t, auto); // change 3 since its previous release
    expect([r.manifest.data[0].version, held(r.manifest)]).toEqual([1, true]);
  });
});
