// Red-team attacks on the filed rule and on own-year reports (commit 2e446ff, issue 15: "a reused
// dedupe tag as an oracle") and on the pair holdings (a8b0bdb), from the attacker's side: a member
// holding the coalition's dedupe secret and its own reports (possibly two keys), a publisher with
// drafts and dry runs, anyone holding every published release.
//
// Every test compares two worlds, identical except whether organisation A reported the victim
// member B guesses (world `t`: A's report carries the guessed tag; world `u`: A reported another
// victim, with the same values). Whatever B or anyone can see must be the same in both. Each test
// asserts the SAFE behaviour; an attack that works today is kept as `it.fails(...)` with a comment
// saying what leaks and the smallest fix. SQLite only, small data.
//
// Open (it.fails): the filed rule is one-sided (padding the guess, one key or three); a
// guess with other values makes B a holder of the victim's cell in any "changes" version; an
// amendment into the guessed tag (filed net 0); secondary patterns at a year's first version and
// in a dry run over it. More in redteam-filed2.test.ts (one-report guesses among them).
// Fixed since: a year's first version showed the guessed cell as 0 (model.ts: a first version is a
// change from nothing for the filed rule); a join in the same version when B's report counts
// (model.ts: the filed rule on counts at every version, with the small-count rule of the filed
// amount); b guesses and b2 pads (the secondaries no longer differ: a revision's cells whose
// earlier version is published do not start hidden, global/protect.ts).
// Defended: versions, since and proofs for a guess stating another year (and its withdrawal); a
// join in the same version when A's report counts; no 500 on a tag over three years, a steward's
// choice of an other-year report, quarantines, withdrawal and amendment across years.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dedupeTag } from '../../crypto/index.js';
import { enrolMember, newId, sampleReport, signed, type SigningKey, submitReports as submit } from '../helpers/app.js';
import { publish } from '../helpers/releases.js';
import { both, cellOf, differences, GUESSED, K, KNOWN, type Manifest, REGIONS, SECRET, twoWorlds, type World } from '../helpers/two-worlds.js';

describe('the filed rule is one-sided: padding the guess makes it fire in one world only', () => {
  let ws: [World, World];
  beforeAll(async () => {
    ws = await twoWorlds(async () => {});
    await both(ws, (w) => publish(w.app, REGIONS));
  });
  afterAll(async () => Promise.all(ws.map((w) => w.app.close())));

  // VULNERABLE. B files its guess under the victim's tag with her values (Lima) and K + 1 more new
  // Lima reports of its own in the same version: B filed K + 2 new items in Lima. World u (nobody
  // had reported her): Lima rose by K + 2, all B's, not small, and B's additions share leaves 0:
  // no rule fires and Lima is published (35 → 42... exactly). World t: Lima rose by K + 1, below
  // what B filed (K + 2), so the filed rule asks hi ≥ K + 2 of that change: Lima is hidden. The
  // cell being hidden or not tells B that the victim had been reported. Two keys (b, b2) do the
  // same with the pair's filed items.
  // Smallest fix: make the filed rule two-sided. For every member (and pair) with f tagged items
  // filed anew in a change, of which j joined incidents already counted, the interval must reach
  // both v + j (hi, as now) and v − (f − j) (lo: "some of them could have joined"), so the change
  // is pinned in neither world; or, cheaper and coarser, never pin a change into which a member
  // filed a tagged report (treat filedNew > 0 as sensitive whatever the true value).
  it.fails('a guess padded with K + 1 more reports in the same cell: same picture in both worlds', async () => {
    await both(ws, async (w) => {
      await submit(w.app, w.b, 1, { ...KNOWN, dedupeTag: GUESSED });
      await submit(w.app, w.b, K + 1, KNOWN);
    });
    const [rt, ru] = await both(ws, (w) => publish(w.app, REGIONS));
    expect(differences(rt!.manifest, ru!.manifest)).toEqual([]);
  });
});

describe('the filed rule with two keys of one organisation', () => {
  let ws: [World, World];
  beforeAll(async () => {
    ws = await twoWorlds(async () => {});
    await both(ws, (w) => publish(w.app, REGIONS));
  });
  afterAll(async () => Promise.all(ws.map((w) => w.app.close())));

  // DEFENDED here since the warm start no longer starts hidden a revision's cell whose earlier
  // version published counts fix (global/protect.ts). b files the guess, b2 files K + 1 Lima
  // reports. Lima is hidden in both worlds, for different reasons: in u the change is K + 2 and
  // b2's additions leave 1 (the holdings rule: need ≥ K + 6); in t the change is K + 1, below the
  // pair's K + 2 filed items (the filed rule: need ≥ K + 2). The two needs used to pick different
  // secondaries on the new tables alone (Cusco, 12 and published before, hidden in u only); the
  // whole-system repair now picks the same in both. Not closed in general: the repair still
  // chooses by costs from true values, and the rules still differ between the worlds (above).
  it('b guesses, b2 pads: same picture in both worlds', async () => {
    await both(ws, async (w) => {
      await submit(w.app, w.b, 1, { ...KNOWN, dedupeTag: GUESSED });
      await submit(w.app, w.b2, K + 1, KNOWN);
    });
    const [rt, ru] = await both(ws, (w) => publish(w.app, REGIONS));
    expect(differences(rt!.manifest, ru!.manifest)).toEqual([]);
  });
});

describe('three keys of one organisation (the filed and holdings rules look at pairs)', () => {
  let ws: [World, World];
  let b3: Map<World, SigningKey>;
  beforeAll(async () => {
    b3 = new Map();
    ws = await twoWorlds(async (w) => void b3.set(w, await enrolMember(w.app)));
    await both(ws, (w) => publish(w.app, REGIONS));
  });
  afterAll(async () => Promise.all(ws.map((w) => w.app.close())));

  // VULNERABLE (three colluding keys, SECURITY.md's residual risk, here as a dedupe oracle). b
  // files the guess, b2 and b3 file K Lima reports each. World u: Lima rose by 2K + 1; the pair
  // (b2, b3) added 2K, leaving 1: the holdings rule hides Lima. World t: Lima rose by 2K, all the
  // pair's: no rule (the filed rule sees at most 2K filed by a pair, not below 2K): Lima shown.
  // Fix: coalitions of three in the holdings and filed rules (CONTAMOS_HOLDINGS_COALITION), or the
  // two-sided filed rule of the first describe. Linking the three keys as one organisation
  // (services/organisations.ts) does not close it: then u's rise is all the organisation's (no
  // rule) while t's 2K is below the 2K + 1 it filed (the filed rule hides Lima) — the one-sided
  // filed rule again.
  it.fails('b guesses, b2 and b3 pad: same picture in both worlds', async () => {
    await both(ws, async (w) => {
      await submit(w.app, w.b, 1, { ...KNOWN, dedupeTag: GUESSED });
      await submit(w.app, w.b2, K, KNOWN);
      await submit(w.app, b3.get(w)!, K, KNOWN);
    });
    const [rt, ru] = await both(ws, (w) => publish(w.app, REGIONS));
    expect(differences(rt!.manifest, ru!.manifest)).toEqual([]);
  });
});

describe('a guess filed in a year never published before (the first version has no change)', () => {
  let ws: [World, World];
  beforeAll(async () => {
    ws = await twoWorlds(async (w) => {
      await submit(w.app, w.c, 12, { year: 2024, region: 'PE-CUS' });
      await submit(w.app, w.a, 9, { year: 2024, region: 'PE-LMA' });
    });
    await both(ws, (w) => publish(w.app, REGIONS)); // 2023 at version 1: A's report is sticky
  });
  afterAll(async () => Promise.all(ws.map((w) => w.app.close())));

  let rels: Array<{ manifest: Manifest }>;

  // FIXED here (was VULNERABLE). B files its guess stating 2024 in Tumbes (values need not match: a
  // report counts in the year it states). 2024 was never published, so its first version had no
  // change quantity and the filed rule (changes only) did not apply. World t: B's report is an
  // `extra` report of 2024 (it joined A's 2023 incident), Tumbes 2024 = 0, and it was published as
  // 0: a cell B filed one report in, shown empty, proves the report joined. Fix
  // (disclosure/global/model.ts, trueValues): a count at a year's first version is a change from
  // nothing, so the filed rule applies to it with everything filed in it (hi ≥ filed).
  it('a cell B filed in is never shown below what B filed, at the first version of its year', async () => {
    await both(ws, (w) => submit(w.app, w.b, 1, { year: 2024, region: 'PE-TUM', dedupeTag: GUESSED }));
    const req = { series: 'regiones-2024', filter: { year: 2024 }, tables: [['year', 'region']] };
    rels = await both(ws, (w) => publish(w.app, req));
    for (const r of rels) {
      const tum = cellOf(r.manifest, { year: '2024', region: 'PE-TUM' });
      expect(tum.suppressed || (tum.count ?? 0) >= 1, JSON.stringify(tum)).toBe(true);
    }
  });

  // VULNERABLE (by the pattern), what is left: Tumbes is hidden in both worlds now, but for
  // different reasons (u: the count 1 is small, need ≥ K; t: the filed rule, need ≥ 1), and the
  // secondaries differ: t hides Lima (9), u hides the totals (21 or 22). Fix: as the first
  // describe (rules that do not depend on whether a report joined).
  it.fails('the first release of the guessed year shows the same in both worlds', async () => {
    expect(differences(rels[0]!.manifest, rels[1]!.manifest)).toEqual([]);
  });

  // VULNERABLE, the same through a publisher's dry run of a multi-year series over 2023 and 2024
  // (before the fix above: Tumbes and the totals hidden in u, nothing in t; since: both hide
  // Tumbes, with different secondaries). Same fix.
  it.fails('a dry run of a multi-year series over both years says the same in both worlds', async () => {
    // (after the test above filed the guess; the 2024 series was published in each world)
    const req = { series: 'dos-anos', filter: { years: [2023, 2024] }, tables: [['year', 'region'], ['region']] };
    const [dt, du] = await both(ws, (w) => signed(w.app.app, 'POST', '/api/v1/releases/dry-run', w.app.publisher, req));
    expect([dt!.status, du!.status]).toEqual([du!.status, dt!.status]);
    expect(JSON.stringify(dt!.body)).toEqual(JSON.stringify(du!.body));
  });
});

describe('a guess with other values makes B a holder of the victim’s cell', () => {
  let ws: [World, World];
  let mine: Map<World, string[]>;
  beforeAll(async () => {
    mine = new Map();
    ws = await twoWorlds(async (w) => {
      await submit(w.app, w.c, 10, { year: 2023, region: 'PE-PIU' });
      mine.set(w, await submit(w.app, w.b, 8, { year: 2023, region: 'PE-ARE' }));
    });
    await both(ws, (w) => publish(w.app, REGIONS));
  });
  afterAll(async () => Promise.all(ws.map((w) => w.app.close())));

  // VULNERABLE. B amends one of its own Arequipa reports in a dimension no table shows (the
  // victim's gender): the version becomes "changes" and no region count moves. In the same version
  // B files its guess stating Ica (not Lima). World t: the guess joined A's Lima incident, and an
  // incident's members are every member with a report under its tag in its year, whatever values
  // that report states: B becomes a holder of a Lima incident, its net change in Lima is +1, Lima's
  // change is 0 and 0 − 1 is small: the holdings band rule protects Lima. World u: B holds nothing
  // in Lima, Lima does not move, nothing protects it. Lima is hidden in t only: B learns that the
  // victim was reported, and in which cell (the cell that is hidden without reason).
  // Smallest fix (services/incidents.ts, incidentOf): an incident's `members` are only the members
  // whose report of that year states the representative's values (what a member knows is what it
  // filed; `filedOf` already keeps its own items).
  it.fails('amend one own report and guess with other values: same picture in both worlds', async () => {
    await both(ws, async (w) => {
      const old = mine.get(w)![0]!;
      const res = await signed(w.app.app, 'PUT', `/api/v1/reports/${newId()}`, w.b, {
        ...sampleReport(w.app, { year: 2023, region: 'PE-ARE', victimGender: 'cis-woman' }),
        supersedes: old,
      });
      if (res.status !== 201) throw new Error(`amend failed: ${res.status} ${JSON.stringify(res.body)}`);
      await submit(w.app, w.b, 1, { year: 2023, region: 'PE-ICA', dedupeTag: GUESSED });
    });
    const [rt, ru] = await both(ws, (w) => publish(w.app, REGIONS));
    expect(differences(rt!.manifest, ru!.manifest)).toEqual([]);
  });
});

describe('a guess with other values, in a version someone else made "changes"', () => {
  let ws: [World, World];
  let theirs: Map<World, string[]>;
  beforeAll(async () => {
    theirs = new Map();
    ws = await twoWorlds(async (w) => {
      theirs.set(w, await submit(w.app, w.c, 10, { year: 2023, region: 'PE-PIU' }));
      await submit(w.app, w.b, 8, { year: 2023, region: 'PE-ARE' });
    });
    await both(ws, (w) => publish(w.app, REGIONS));
  });
  afterAll(async () => Promise.all(ws.map((w) => w.app.close())));

  // VULNERABLE, the same as above without B doing anything but the guess: C withdraws one of its
  // Piura reports (any withdrawal or amendment in the year, common in practice, makes the version
  // "changes"), B files its guess stating Ica. Same leak, same fix.
  it.fails('same picture in both worlds', async () => {
    await both(ws, async (w) => {
      const res = await signed(w.app.app, 'POST', `/api/v1/reports/${theirs.get(w)![0]}/withdraw`, w.c, {});
      expect(res.status).toBe(200);
      await submit(w.app, w.b, 1, { year: 2023, region: 'PE-ICA', dedupeTag: GUESSED });
    });
    const [rt, ru] = await both(ws, (w) => publish(w.app, REGIONS));
    expect(differences(rt!.manifest, ru!.manifest)).toEqual([]);
  });
});

describe('an amendment that only moves an own report under the guessed tag (same values)', () => {
  let ws: [World, World];
  let mine: Map<World, string>;
  beforeAll(async () => {
    mine = new Map();
    ws = await twoWorlds(async (w) => {
      await submit(w.app, w.c, 10, { year: 2023, region: 'PE-PIU' });
      await submit(w.app, w.b, K, KNOWN);
      mine.set(w, (await submit(w.app, w.b, 1, { ...KNOWN, dedupeTag: dedupeTag(SECRET, 'mi propia victima') }))[0]!);
    });
    // Lima 36 in both worlds, published: A holds 30, B 6 (so no one's remainder is small)
    const r1 = await both(ws, (w) => publish(w.app, REGIONS));
    expect(r1.map((r) => cellOf(r.manifest, { year: '2023', region: 'PE-LMA' }).count)).toEqual([36, 36]);
  });
  afterAll(async () => Promise.all(ws.map((w) => w.app.close())));

  // VULNERABLE. B holds 6 of Lima's 36 (5 untagged, 1 under a tag of its own). It amends
  // (supersedes) the tagged one into one with the same values under the guessed tag. B's filed
  // items in Lima: six before, six after, so its filed *net* is 0 and the filed rule (the most any
  // member or pair filed net) does not fire. World u: the new report is an incident of its own,
  // Lima stays 36 and everything is republished. World t: it joined A's incident, Lima falls to 35,
  // a change of −1 the band rule hides (with Piura and the totals as secondaries). Hidden in t,
  // shown in u. (A withdrawal of one own Lima report plus a new guess in the same version is the
  // same attack.)
  // Smallest fix: the filed rule must count the items each member filed anew (in `to` and not in
  // `from`), not its net change, and reach down as well as up (see the first describe).
  it.fails('same values, a new tag: same picture in both worlds', async () => {
    await both(ws, async (w) => {
      const res = await signed(w.app.app, 'PUT', `/api/v1/reports/${newId()}`, w.b, {
        ...sampleReport(w.app, { ...KNOWN, dedupeTag: GUESSED }),
        supersedes: mine.get(w),
      });
      if (res.status !== 201) throw new Error(`amend failed: ${res.status} ${JSON.stringify(res.body)}`);
    });
    const [rt, ru] = await both(ws, (w) => publish(w.app, REGIONS));
    expect(differences(rt!.manifest, ru!.manifest)).toEqual([]);
  });
});

describe('a guess stating another year, in a multi-year series: versions, since and proofs', () => {
  let ws: [World, World];
  const TWO = { series: 'dos-anos', filter: { years: [2023, 2024] }, tables: [['year', 'region'], ['region']] };
  beforeAll(async () => {
    ws = await twoWorlds(async (w) => {
      await submit(w.app, w.c, 12, { year: 2024, region: 'PE-CUS' });
      await submit(w.app, w.a, 20, { year: 2024, region: 'PE-LMA' });
    });
    await both(ws, (w) => publish(w.app, TWO));
  });
  afterAll(async () => Promise.all(ws.map((w) => w.app.close())));

  // B files its guess stating 2024 (A's report states 2023). Every counted report belongs to the
  // year it states: 2023 must not move (same version), 2024 moves in both, B's proof answers the
  // same in both, and a 2023-only release holds B's report in neither world.
  it('data versions, since and B’s proofs are the same in both worlds', async () => {
    const ids = await both(ws, async (w) => (await submit(w.app, w.b, 1, { year: 2024, region: 'PE-LMA', dedupeTag: GUESSED }))[0]!);
    const [rt, ru] = await both(ws, (w) => publish(w.app, TWO));
    expect(rt!.manifest.data).toEqual(ru!.manifest.data);
    expect(rt!.manifest.data.map((d: { year: number; version: number; since: string | null }) => [d.year, d.version, d.since])).toEqual([
      [2023, 1, null],
      [2024, 2, 'additions'],
    ]);
    const [ot, ou] = await both(ws, (w) => publish(w.app, { series: 'solo-2023', filter: { year: 2023 }, tables: [['year', 'region']] }));
    const ask = async (w: World, release: string, id: string) => {
      const res = await signed(w.app.app, 'GET', `/api/v1/releases/${release}/proof/${id}`, w.b);
      return [res.status, res.body.error?.code ?? 'proof'];
    };
    expect(await ask(ws[0], rt!.manifest.id, ids[0]!)).toEqual(await ask(ws[1], ru!.manifest.id, ids[1]!));
    expect(await ask(ws[0], ot!.manifest.id, ids[0]!)).toEqual(await ask(ws[1], ou!.manifest.id, ids[1]!));
    expect(await ask(ws[0], ot!.manifest.id, ids[0]!)).not.toEqual([200, 'proof']);
  });

  it('and the counts of the multi-year release are the same picture in both worlds', async () => {
    // (the release above; published again at the same versions)
    const [rt, ru] = await both(ws, (w) => publish(w.app, { ...TWO, series: 'dos-anos-b' }));
    expect(differences(rt!.manifest, ru!.manifest)).toEqual([]);
  });

  it('withdrawing the other-year guess: the same versions and since in both worlds', async () => {
    await both(ws, async (w) => {
      const mine = await signed(w.app.app, 'GET', '/api/v1/reports', w.b);
      expect(mine.body.items).toHaveLength(1);
      expect((await signed(w.app.app, 'POST', `/api/v1/reports/${mine.body.items[0].id}/withdraw`, w.b, {})).status).toBe(200);
    });
    const [rt, ru] = await both(ws, (w) => publish(w.app, TWO));
    expect(rt!.manifest.data).toEqual(ru!.manifest.data);
    expect(rt!.manifest.data.map((d: { year: number; version: number; since: string | null }) => [d.year, d.version, d.since])).toEqual([
      [2023, 1, null],
      [2024, 3, 'changes'],
    ]);
    expect(differences(rt!.manifest, ru!.manifest)).toEqual([]);
  });
});

describe('a guess joining an incident first counted in the same version (no sticky representative)', () => {
  // A files the victim (t) or another victim (u) after the first release, and B files its guess
  // stating Tumbes in the same version. In t the incident's representative is drawn by rank (A's
  // Lima report or B's Tumbes report; the draw is keyed by each app's secret, so the test fixes it
  // with the steward's resolution of the conflict, either way). Whichever counts, the picture must
  // be the same as in u.
  const run = async (chosen: 'a' | 'b') => {
    const ws = await twoWorlds(async (w) => {
      await submit(w.app, w.c, 10, { year: 2023, region: 'PE-PIU' });
    }, true);
    try {
      await both(ws, (w) => publish(w.app, REGIONS));
      await both(ws, async (w) => {
        const [ida] = await submit(w.app, w.a, 1, { ...KNOWN, dedupeTag: w.tagOfA });
        const [idb] = await submit(w.app, w.b, 1, { year: 2023, region: 'PE-TUM', dedupeTag: GUESSED });
        if (w.tagOfA !== GUESSED) return;
        const res = await signed(w.app.app, 'POST', `/api/v1/steward/conflicts/${GUESSED}/resolve`, w.app.steward, { reportId: chosen === 'a' ? ida : idb });
        expect(res.status).toBe(200);
      });
      const [rt, ru] = await both(ws, (w) => publish(w.app, REGIONS));
      return differences(rt!.manifest, ru!.manifest);
    } finally {
      await Promise.all(ws.map((w) => w.app.close()));
    }
  };

  it('A’s report counts: the same picture in both worlds', async () => {
    expect(await run('a')).toEqual([]);
  });

  // FIXED (was VULNERABLE by the pattern) when B's report counts (the steward's choice here; the
  // rank's draw about half the time): Piura (10, C's, untouched) was hidden in t as a secondary and
  // shown in u. In t Lima does not move and A, a holder of the incident that now counts in Tumbes,
  // had a rule there (the filed rule on A's Lima item: need ≥ 1). A is no longer a holder of an
  // incident whose values its report does not state (services/incidents.ts), and the pictures agree.
  it('B’s report counts: the same picture in both worlds', async () => {
    expect(await run('b')).toEqual([]);
  });
});

describe('odd data for the new code: no 500', () => {
  let w: World;
  const X = dedupeTag(SECRET, 'tres anos');
  const series = [
    { series: 's2019', filter: { year: 2019 }, tables: [['year', 'region']] },
    { series: 's2023', filter: { year: 2023 }, tables: [['year', 'region']] },
    { series: 's2024', filter: { year: 2024 }, tables: [['year', 'region']] },
    { series: 'todos', filter: { years: [2019, 2023, 2024] }, tables: [['year', 'region'], ['region']] },
  ];
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    const pair = await twoWorlds(async (x) => {
      await submit(x.app, x.c, 12, { year: 2024, region: 'PE-CUS' });
      await submit(x.app, x.c, 12, { year: 2019, region: 'PE-CUS' });
    });
    w = pair[0];
    await pair[1].app.close(); // one world is enough here
    ids.a = (await submit(w.app, w.a, 1, { year: 2023, region: 'PE-LMA', dedupeTag: X }))[0]!;
    ids.b = (await submit(w.app, w.b, 1, { year: 2024, region: 'PE-TUM', dedupeTag: X }))[0]!;
    ids.c = (await submit(w.app, w.c, 1, { year: 2019, region: 'PE-PIU', dedupeTag: X }))[0]!;
  });
  afterAll(async () => w?.app.close());

  const publishAll = async (): Promise<string[]> => {
    const out: string[] = [];
    for (const s of series) {
      const res = await signed(w.app.app, 'POST', '/api/v1/releases', w.app.publisher, s);
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
      if (res.status === 201) out.push((await publish(w.app, s)).manifest.id);
    }
    return out;
  };
  const proofs = async (releases: string[]): Promise<void> => {
    for (const r of releases)
      for (const [who, id] of Object.entries(ids)) {
        const key = who === 'a' ? w.a : who === 'b' ? w.b : w.c;
        const res = await signed(w.app.app, 'GET', `/api/v1/releases/${r}/proof/${id}`, key);
        expect(res.status, `${who} in ${r}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
      }
  };

  it('one tag over three years, a steward choice of an other-year report, a quarantined holder, a withdrawal', async () => {
    await proofs(await publishAll());
    // the steward: the tag is a conflict; the 2024 report is chosen (the incident moves to 2024)
    const list = await signed(w.app.app, 'GET', '/api/v1/steward/conflicts', w.app.steward);
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).toContain(X);
    const chose = await signed(w.app.app, 'POST', `/api/v1/steward/conflicts/${X}/resolve`, w.app.steward, { reportId: ids.b });
    expect(chose.status).toBe(200);
    await proofs(await publishAll());
    // B (whose report the steward chose) quarantined, then A's joined report's member too
    for (const k of [w.b, w.a]) {
      const q = await signed(w.app.app, 'POST', `/api/v1/steward/members/${k.keyId}/quarantine`, w.app.steward, {});
      expect(q.status).toBe(200);
      await proofs(await publishAll());
    }
    for (const k of [w.b, w.a]) {
      const q = await signed(w.app.app, 'DELETE', `/api/v1/steward/members/${k.keyId}/quarantine`, w.app.steward);
      expect(q.status).toBe(200);
    }
    await proofs(await publishAll());
    // C withdraws its 2019 report under the tag; A amends its 2023 one into 2024
    expect((await signed(w.app.app, 'POST', `/api/v1/reports/${ids.c}/withdraw`, w.c, {})).status).toBe(200);
    const amend = await signed(w.app.app, 'PUT', `/api/v1/reports/${newId()}`, w.a, {
      ...sampleReport(w.app, { year: 2024, region: 'PE-LMA', dedupeTag: X }),
      supersedes: ids.a,
    });
    expect(amend.status).toBe(201);
    await proofs(await publishAll());
    const data = await signed(w.app.app, 'GET', '/api/v1/publications', w.app.publisher);
    expect(data.status).toBeLessThan(500);
  });
});
