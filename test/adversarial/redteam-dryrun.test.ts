// Red team on dry runs after c7691a2, e52d332, d6c08de (which made `POST /api/v1/releases/dry-run`
// hold back as holdBack "auto" would): polling a dry run must not say whether a pending change is
// small (1..k−1), nor whether a guessed victim was already reported.
//
// The attacker: a publisher holding every log entry, drafting and dry-running any series, possibly
// with one member organisation that knows its own reports. Each test asserts the SAFE behaviour
// (so it fails when the attack works) and compares what the attacker sees in two worlds that
// differ only by the secret (most often: a pending change of 2, small, against 5 or more).
// Attacks that work today are `it.fails(...)` with a comment starting VULNERABLE.
// SQLite only, small data, K = 5 (p = k).
//
// Since this review: a dry run looks only at data versions a publication already used (a year
// none used is refused, dry_run_unpublished_year), so every attack through a dry run is plain `it`;
// the hold-back band is the strictest k + p of the publications that showed the figure; a DP
// release with keepTotal holds back like "auto" (its refusal no longer turns with a small change).
// Hold-back now also compares sums over the same years shown by any series, and DP exact totals.
// Open (it.fails): a draft with holdBack "none" hides a headline whose change is small (the
// pattern of any suppression release; "auto" is the publisher's choice). Fixed since: a year total
// known only as a sum minus another year is compared by hold-back ("auto" drafts).
// Defended (it): withdrawals, withdrawal + addition by two members, opposite changes in two years,
// a per-type change inside a large total change, the bit constant over 1..k+p−1, a dry run
// matching the "auto" draft at the same versions, the dedupe-tag guess, a never-published year
// polled or padded, and no 500 on odd dry runs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../crypto/index.js';
import { enrolMember, signed, startTestApp, type SigningKey, type TestApp, submitReports as submit } from '../helpers/app.js';
import { cellOf, publish } from '../helpers/releases.js';

const K = 5;

type Key = Record<string, string>;
type DryRun = {
  dryRun: true;
  data: Array<{ year: number; version: number; since: string | null; heldBack: boolean }>;
  tables: Array<{ dimensions: string[]; cells: number; hidden: number; hiddenCells: Key[] }>;
};

/** What a dry run tells the attacker: the data versions (held back or not) and the hidden cells. */
const seen = (d: DryRun) => ({ data: d.data, hidden: d.tables.map((t) => t.hiddenCells.map((k) => canonicalJson(k)).sort()) });

async function dryRun(t: TestApp, body: Record<string, unknown>): Promise<DryRun> {
  const res = await signed(t.app, 'POST', '/api/v1/releases/dry-run', t.publisher, body);
  if (res.status !== 200) throw new Error(`dry run failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as DryRun;
}

async function withdraw(t: TestApp, key: SigningKey, ids: string[]): Promise<void> {
  for (const id of ids) {
    const res = await signed(t.app, 'POST', `/api/v1/reports/${id}/withdraw`, key, {});
    if (res.status !== 200) throw new Error(`withdraw failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** What a draft with holdBack "auto" shows (a logged publication: hold-back's own decision), as `seen`. */
async function autoDraft(t: TestApp, body: Record<string, unknown>): Promise<ReturnType<typeof seen>> {
  const res = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, { ...body, holdBack: 'auto' });
  if (res.status !== 201) throw new Error(`draft failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { data: res.body.manifest.data, hidden: hiddenOf(res.body.manifest) };
}

/** The hidden keys of a manifest, as a dry run lists them. */
const hiddenOf = (m: { tables: Array<{ cells: Array<{ key: Key; suppressed: boolean }> }> }) =>
  m.tables.map((tb) =>
    tb.cells
      .filter((c) => c.suppressed)
      .map((c) => canonicalJson(c.key))
      .sort(),
  );

/** A fresh server with two organisations: A (Lima, 30 in 2023) and C (Cusco, 12 in 2023). */
interface World {
  t: TestApp;
  a: SigningKey;
  c: SigningKey;
  aIds: string[];
  cIds: string[];
}
const worlds: TestApp[] = [];
async function world(opts: Parameters<typeof startTestApp>[1] = {}): Promise<World> {
  const t = await startTestApp('sqlite', { minK: K, ...opts });
  worlds.push(t);
  const [a, c] = [await enrolMember(t), await enrolMember(t)];
  const aIds = await submit(t, a, 30, { year: 2023, region: 'PE-LMA' });
  const cIds = await submit(t, c, 12, { year: 2023, region: 'PE-CUS' });
  return { t, a, c, aIds, cIds };
}
afterEach(async () => {
  for (const t of worlds.splice(0)) await t.close();
});

describe("the hold-back band is the series' own k + p, not the largest k that protects the figure", () => {
  // VULNERABLE (a small change at the larger k, from a dry run of a smaller-k series). The 2023
  // total is shown by "grande" (k = 10, p = 10) and by "chica" (k = 5). The model protects the total
  // at the largest k of any publication showing it (10), so a change of 1..9 is small. heldYears
  // holds back while a change is in 1..k+p−1 with the DRY-RUN SERIES' k and p: a dry run of "chica"
  // is held for a pending change of 3 and not for 12, i.e. it says "the change is in 1..9", small
  // at k = 10. Requests: publish grande (k 10) and chica; then dry runs of chica. Smallest fix: in
  // heldYears, limit = the largest k + p of any publication of the log (or of those that showed the
  // compared figure), not the series' own. A draft with holdBack "auto" of chica logs the same bit.
  // FIXED: heldYears takes the largest k + p of the publications that showed the figure (and the
  // dry run looks only at published data). Shown with the "auto" draft, which logs the bit.
  it('a k = 5 series does not say that a change protected at k = 10 is small (dry run and "auto" draft)', async () => {
    const answers: ReturnType<typeof seen>[] = [];
    for (const pending of [3, 12]) {
      const w = await world();
      await publish(w.t, { series: 'grande', k: 10, filter: { year: 2023 }, tables: [['year', 'region']] });
      await publish(w.t, { series: 'chica', filter: { year: 2023 }, tables: [['year', 'region']] });
      await submit(w.t, w.a, pending, { year: 2023, region: 'PE-LMA' });
      const req = { series: 'chica', filter: { year: 2023 }, tables: [['year', 'region']] };
      expect(seen(await dryRun(w.t, req)).data[0]).toMatchObject({ version: 1, heldBack: false });
      answers.push(await autoDraft(w.t, req));
    }
    // what the attacker computes: held at 3, not at 12 → the change is in 1..9 (small at k = 10)
    expect(answers[0]!.data[0]!.heldBack, 'held back for a change of 3 and not for 12').toBe(answers[1]!.data[0]!.heldBack);
  });
});

describe('a year total known only through sums of other publications is not compared', () => {
  // VULNERABLE (the pending change of a year's total said small, by a dry run's pattern). heldYears
  // compares a year's figure only with versions at which a publication showed THAT YEAR's cell
  // exactly (a one-year cell, or a year-less table over that year alone). Another series
  // ("bienal") that published only year-less tables over 2023 and 2024 shows the sum of the two
  // years' totals, never a 2023 cell: no comparison, nothing held back. A dry run of a series over
  // the same two years then publishes 2023's new version, and the model (which knows the published
  // sum at v1) must hide the sum at the new version while its change (2) is small: the pattern says
  // small (2) against not small (5). Requests: publish bienal; dry run "sonda" over 2023–2024,
  // tables [region]. Smallest fix: compare every year-set figure the new publication shows
  // (sums over several years, per type) with every publication that showed the same year set
  // exactly, any series, holding every changed year (as done now for the series' own previous
  // release only).
  // FIXED for dry runs (they look only at published data), and for "auto" drafts: hold-back
  // compares the sum with every publication that showed the sum over the same years exactly.
  for (const [how, fails] of [
    ['a dry run', false],
    ['an "auto" draft', false],
  ] as const)
    (fails ? it.fails : it)(`${how} over two years does not say that the two-year total's pending change is small`, async () => {
      const answers: ReturnType<typeof seen>[] = [];
      for (const pending of [2, 5]) {
        const w = await world();
        await submit(w.t, w.c, 12, { year: 2024, region: 'PE-CUS' });
        await publish(w.t, { series: 'bienal', filter: { years: [2023, 2024] }, tables: [['region']] });
        await submit(w.t, w.a, pending, { year: 2023, region: 'PE-LMA' });
        const req = { series: 'sonda', filter: { years: [2023, 2024] }, tables: [['region']] };
        answers.push(how === 'a dry run' ? seen(await dryRun(w.t, req)) : await autoDraft(w.t, req));
      }
      expect(answers[0], 'a pending change of 2 and of 5 give different answers').toEqual(answers[1]);
    });

  // VULNERABLE (the same through a single-year dry run). "bienal" shows 2023 + 2024 exactly and
  // "anual-2024" shows 2024 exactly: the 2023 total at v1 is determined (54 − 12 = 42) though no
  // publication shows a 2023 cell, so heldYears finds nothing to compare. A dry run of 2023 alone
  // shows the new version, whose total the model must hide while its change (2) is small: hidden
  // for 2, shown for 5. Smallest fix: compare against every version at which the log DETERMINES the
  // figure (from the model: published or pinned), not only where a cell shows it; or hold back any
  // year whose figure an earlier publication's sum involves.
  // FIXED for dry runs; and for "auto" drafts: hold-back compares a year's figure at every version
  // the log gives it, a shown sum minus the other years' shown figures included
  // (releases.ts `knownYearFigures`).
  for (const [how, fails] of [
    ['a dry run', false],
    ['an "auto" draft', false],
  ] as const)
    (fails ? it.fails : it)(`${how} of one year does not say so when the year's total is known from a sum minus another year`, async () => {
      const answers: ReturnType<typeof seen>[] = [];
      for (const pending of [2, 5]) {
        const w = await world();
        await submit(w.t, w.c, 12, { year: 2024, region: 'PE-CUS' });
        await publish(w.t, { series: 'bienal', filter: { years: [2023, 2024] }, tables: [['region']] });
        await publish(w.t, { series: 'anual-2024', filter: { year: 2024 }, tables: [['year', 'region']] });
        await submit(w.t, w.a, pending, { year: 2023, region: 'PE-LMA' });
        const req = { series: 'sonda', filter: { year: 2023 }, tables: [['year', 'region']] };
        answers.push(how === 'a dry run' ? seen(await dryRun(w.t, req)) : await autoDraft(w.t, req));
      }
      expect(answers[0], 'a pending change of 2 and of 5 give different answers').toEqual(answers[1]);
    });
  // Defended here (not by hold-back): changes of opposite sign in two years. Another series
  // ("bienal") published 2023 and 2024 per year and their sum. A adds 12 (or 15) in 2023, C
  // withdraws 10 in 2024: each year's change is ≥ k + p and nothing is held, while the sum over the
  // two years changed by 2 (or 5), and the sum over the request's years is compared with the
  // series' own previous release only. Yet both dry runs hide the same cells: the withdrawal hides
  // the 2024 figures and the sum whatever the size of the sum's change (so the sum's change is
  // never the only reason; with additions only the two changes cannot cancel).
  it('a dry run over two years does not say that the sum of two large changes is small', async () => {
    const answers: ReturnType<typeof seen>[] = [];
    for (const added of [12, 15]) {
      const w = await world();
      const cIn2024 = await submit(w.t, w.c, 22, { year: 2024, region: 'PE-CUS' });
      await submit(w.t, w.a, 10, { year: 2024, region: 'PE-LMA' });
      await publish(w.t, { series: 'bienal', filter: { years: [2023, 2024] }, tables: [['year', 'region']] });
      await submit(w.t, w.a, added, { year: 2023, region: 'PE-LMA' });
      await withdraw(w.t, w.c, cIn2024.slice(0, 10));
      answers.push(seen(await dryRun(w.t, { series: 'sonda', filter: { years: [2023, 2024] }, tables: [['year', 'region']] })));
    }
    expect(answers[0]!.data.map((d) => d.heldBack)).toEqual([false, false]);
    expect(answers[0]!.data.map((d) => d.version)).toEqual(answers[1]!.data.map((d) => d.version));
    expect(answers[0]!.hidden, 'a sum changed by 2 and by 5 give different dry runs').toEqual(answers[1]!.hidden);
  });
});

describe('an exact DP total is a published figure too', () => {
  // VULNERABLE (a dry run's pattern). A DP release with keepTotal publishes the 2023 total exactly
  // (its invariant; the model fixes it), but heldYears reads only suppression entries
  // (`suppressionLog`): when no suppression publication ever showed 2023, nothing is compared and
  // nothing held. The dry run then shows the new version with the total hidden while its change
  // from the DP invariant is small (2), shown when it is 5. Requests: a DP draft with keepTotal
  // (logged), then dry runs. Smallest fix: take DP entries' invariants (dp.invariants "total") into
  // the versions compared in heldYears, like suppression cells shown exactly.
  // FIXED for dry runs, and for "auto" drafts: hold-back compares a DP entry's exact total too.
  for (const [how, fails] of [
    ['a dry run', false],
    ['an "auto" draft', false],
  ] as const)
    (fails ? it.fails : it)(`${how} does not say that the change from a DP release's exact total is small`, async () => {
      const answers: ReturnType<typeof seen>[] = [];
      for (const pending of [2, 5]) {
        const w = await world({ dpBounds: { totalRho: '1', maxRho: '0.5' } });
        const dp = await signed(w.t.app, 'POST', '/api/v1/releases', w.t.publisher, {
          series: 'ruidosa',
          method: 'dp',
          rho: '0.5',
          keepTotal: true,
          filter: { year: 2023 },
          tables: [['region']],
        });
        expect(dp.status).toBe(201);
        expect(cellOf(dp.body.manifest, 0, { region: '*' }).count).toBe(42);
        await submit(w.t, w.a, pending, { year: 2023, region: 'PE-LMA' });
        const req = { series: 'sonda', filter: { year: 2023 }, tables: [['year', 'region']] };
        answers.push(how === 'a dry run' ? seen(await dryRun(w.t, req)) : await autoDraft(w.t, req));
      }
      expect(answers[0], 'a pending change of 2 and of 5 give different answers').toEqual(answers[1]);
    });

  // VULNERABLE (a refusal as an unlogged oracle, like release_too_small was). A DP draft with
  // keepTotal is refused (409 dp_total_unprotected, nothing logged, no budget spent) when a
  // suppression publication at the CURRENT data would hide the total, i.e. when the total's
  // pending change is small; accepted (201) when it is not. The DP path never holds back, so the
  // refusal is exactly the old dry-run bit, and repeatable for free until the answer turns. Requests:
  // publish "anual" (2023 total 42), then DP drafts with keepTotal. Smallest fix: decide the
  // keepTotal check on the versions hold-back would choose (or refuse keepTotal whenever the year
  // has data newer than its last published version), so the answer does not depend on the size of
  // the change.
  // FIXED: a DP release with keepTotal holds back as "auto" would (releases.ts), so its check sees
  // the published total while the change is small.
  it('a DP draft with keepTotal is refused or accepted whatever the size of the pending change', async () => {
    const codes = [];
    for (const pending of [2, 5]) {
      const w = await world({ dpBounds: { totalRho: '1', maxRho: '0.5' } });
      await publish(w.t, { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']] });
      await submit(w.t, w.a, pending, { year: 2023, region: 'PE-LMA' });
      const res = await signed(w.t.app, 'POST', '/api/v1/releases', w.t.publisher, {
        series: 'ruidosa',
        method: 'dp',
        rho: '0.5',
        keepTotal: true,
        filter: { year: 2023 },
        tables: [['region']],
      });
      codes.push(res.status === 201 ? 'drawn' : res.body.error.code);
    }
    // what the attacker computes: refused at 2, drawn at 5 → refusal = "the pending change is small"
    expect(codes[0], `answers for 2 and 5: ${codes.join(', ')}`).toBe(codes[1]);
  });
});

describe('a cell that is not a headline', () => {
  // VULNERABLE (the pattern, for any cell but a headline). Hold-back looks at headlines only (year
  // totals, per incident type). When A adds 2 in Lima and 10 in Cusco, the 2023 total changes by 12
  // (≥ k + p, and 0 once A's own change is taken off): nothing is held, and the dry run hides
  // Lima's new cell (its change of 2 is small) where a change of 5 hides nothing. The publisher
  // polls dry runs for free and learns that Lima's change is in 1..k−1. (A signed release would
  // show the same pattern, but once, in the log; the dry run is free and repeatable.) Smallest fix:
  // hold back (in dry runs at least) for every cell of the request that a publication showed
  // exactly, not only the headlines; or answer a dry run only at versions already published.
  // FIXED (a dry run looks only at published data). A release shows the same pattern, once, logged.
  it('a dry run does not say that the pending change of a region cell is small', async () => {
    const answers: ReturnType<typeof seen>[] = [];
    for (const pending of [2, 5]) {
      const w = await world();
      await publish(w.t, { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']] });
      await submit(w.t, w.a, pending, { year: 2023, region: 'PE-LMA' });
      await submit(w.t, w.a, 10, { year: 2023, region: 'PE-CUS' });
      answers.push(seen(await dryRun(w.t, { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']] })));
    }
    expect(answers[0]!.data[0]!.heldBack).toBe(false);
    expect(answers[0], 'a pending change of 2 and of 5 in Lima give different dry runs').toEqual(answers[1]);
  });
});

describe('a draft with holdBack "none"', () => {
  // VULNERABLE (a draft, not a dry run: logged, but the bit is the old one). holdBack defaults to
  // "none", and a draft with "none" publishes the new version with the 2023 total hidden while its
  // change is small (2), shown when it is 5: the pattern says "small", exactly what dry runs were
  // changed not to say. Each probe is a log entry, but nothing stops the publisher from drafting.
  // Smallest fix: hold back for every suppression publication (make "auto" the only behaviour, or
  // the default and the only one for a year that any publication showed).
  it.fails('a draft with holdBack "none" does not say that the pending change of the total is small', async () => {
    const answers: boolean[] = [];
    for (const pending of [2, 5]) {
      const w = await world();
      await publish(w.t, { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']] });
      await submit(w.t, w.a, pending, { year: 2023, region: 'PE-LMA' });
      const d = await signed(w.t.app, 'POST', '/api/v1/releases', w.t.publisher, { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']] });
      expect(d.status).toBe(201);
      answers.push(cellOf(d.body.manifest, 0, { year: '2023', region: '*' }).suppressed);
    }
    expect(answers[0], 'total hidden for 2, shown for 5').toBe(answers[1]);
  });
});

describe('withdrawals, crossing k + p, and a dry run against the release that follows', () => {
  // Defended: a withdrawal of 2 or of 5 (negative changes) gives the same "auto" draft (held back).
  it('an "auto" draft does not say that a pending withdrawal is small', async () => {
    const answers: ReturnType<typeof seen>[] = [];
    for (const pending of [2, 5]) {
      const w = await world();
      await publish(w.t, { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']] });
      await withdraw(w.t, w.c, w.cIds.slice(0, pending));
      answers.push(
        await autoDraft(w.t, {
          series: 'anual',
          filter: { year: 2023 },
          tables: [
            ['year', 'region'],
            ['year', 'incidentType'],
          ],
        }),
      );
    }
    expect(answers[0]!.data[0]!.heldBack).toBe(true);
    expect(answers[0]).toEqual(answers[1]);
  });

  // Defended: a withdrawal of 2 and a later addition of 2 (net 0, but 4 reports moved by two
  // organisations) is held back like a plain small change: the others' change is 2 either way.
  it('withdrawn by one member and added by another (net 0) is held back like a small change', async () => {
    const answers: ReturnType<typeof seen>[] = [];
    for (const [gone, came] of [
      [2, 2],
      [2, 5],
    ] as const) {
      const w = await world();
      await publish(w.t, { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']] });
      await withdraw(w.t, w.c, w.cIds.slice(0, gone));
      await submit(w.t, w.a, came, { year: 2023, region: 'PE-LMA' });
      answers.push(await autoDraft(w.t, { series: 'nueva', filter: { year: 2023 }, tables: [['year', 'region']] }));
    }
    expect(answers[0]!.data[0]!.heldBack).toBe(true);
    expect(answers[0]).toEqual(answers[1]);
  });

  // Defended: a dry run shows the data of the latest publication of each year, whatever came since:
  // before and after the "auto" draft that held a small change, and after the one that did not.
  it('a dry run shows the versions the log used, and hides what a draft at those versions would', async () => {
    const w = await world();
    const req = { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region'], ['incidentType']] };
    await publish(w.t, req);
    await submit(w.t, w.a, 2, { year: 2023, region: 'PE-LMA' });
    const dry = await dryRun(w.t, req);
    expect(dry.data[0]).toMatchObject({ version: 1, heldBack: false });
    const held = await autoDraft(w.t, req); // held at v1: the same data as the dry run's
    expect(held.data[0]).toMatchObject({ version: 1, heldBack: true });
    expect(seen(dry).hidden).toEqual(held.hidden);
    await submit(w.t, w.a, 10, { year: 2023, region: 'PE-LMA' });
    expect((await dryRun(w.t, req)).data[0]).toMatchObject({ version: 1, heldBack: false });
    const moved = await autoDraft(w.t, req); // 12 since v1: not held, v2
    expect(moved.data[0]).toMatchObject({ version: 2, heldBack: false });
    const after = await dryRun(w.t, req);
    expect(after.data[0]).toMatchObject({ version: 2, heldBack: false });
    expect(seen(after).hidden).toEqual(moved.hidden);
  });

  // Defended: a small change of one incident type inside a large change of the total (A adds 2 or
  // 5 homicides and 10 threats) is held back like any headline: the same draft for 2 and 5, even
  // when the earlier per-type figures were shown in a table without the year ("auto" drafts).
  it('a per-type change inside a large total change is held back', async () => {
    const answers: ReturnType<typeof seen>[] = [];
    for (const pending of [2, 5]) {
      const w = await world();
      await publish(w.t, { series: 'tipos', filter: { year: 2023 }, tables: [['incidentType']] });
      await submit(w.t, w.a, pending, { year: 2023, region: 'PE-LMA', incidentType: 'homicide' });
      await submit(w.t, w.a, 10, { year: 2023, region: 'PE-LMA', incidentType: 'threat' });
      const req = { series: 'nueva', filter: { year: 2023 }, tables: [['year', 'incidentType']] };
      answers.push(await autoDraft(w.t, req));
    }
    expect(answers[0]!.data[0]!.heldBack).toBe(true);
    expect(answers[0]).toEqual(answers[1]);
  });

  // Defended: crossing k + p shows the new data, below it the old: the bit is "1..k+p−1" or not
  // ("auto" drafts, each logged).
  it('the hold-back bit is the same for every change in 1..k+p−1', async () => {
    const w = await world();
    const req = { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']] };
    await publish(w.t, req);
    const bits: boolean[] = [];
    for (let i = 1; i <= 2 * K; i++) {
      await submit(w.t, w.a, 1, { year: 2023, region: 'PE-LMA' });
      bits.push((await autoDraft(w.t, req)).data[0]!.heldBack);
    }
    expect(bits).toEqual([...Array(2 * K - 1).fill(true), false]);
  });
});

describe('a reused dedupe tag through a dry run (was this victim already reported?)', () => {
  // VULNERABLE (known residual of SECURITY.md, "A reused dedupe tag, by the pattern", reached here
  // for free through a dry run's headline). Hold-back counts reports as filed, so B's guess gives the
  // same bit in both worlds; but B files 10 at once (one under the guessed tag, nine new), so the
  // filed change is 10 = k + p and nothing is held. The dry run then shows the new version: if the
  // victim was already reported (by C), B's report joined her incident and the 2023 total grew by 9,
  // below what B filed, so the filed rule hides the total; if not, it grew by 10 and is shown. B and
  // the publisher read the answer from the hidden cells, without a trace, and can withdraw and try
  // the next guess. Requests: B's ten reports, one dry run. Smallest fix: a dry run shows only
  // patterns at versions already in the log (hold back every year whose data is newer than its last
  // published version, however large the change), or no hidden cells for a year at a new version.
  // FIXED by the smallest fix proposed: a dry run looks only at versions the log used.
  it('a dry run after filing under a guessed tag is the same whether or not she was reported', async () => {
    const answers: ReturnType<typeof seen>[] = [];
    for (const reported of [true, false]) {
      const t = await startTestApp('sqlite', { minK: K });
      worlds.push(t);
      const [a, b, c] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
      const victim = { year: 2023, region: 'PE-CUS', incidentType: 'homicide' };
      const guessed = 'a'.repeat(64);
      await submit(t, a, 30, { year: 2023, region: 'PE-LMA' });
      await submit(t, c, 11, { year: 2023, region: 'PE-CUS' });
      await submit(t, c, 1, { ...victim, dedupeTag: reported ? guessed : 'b'.repeat(64) });
      const req = { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']] };
      await publish(t, req);
      await submit(t, b, 1, { ...victim, dedupeTag: guessed });
      await submit(t, b, 9, { year: 2023, region: 'PE-CUS' });
      answers.push(seen(await dryRun(t, req)));
    }
    expect(answers[0]!.data[0]!.heldBack).toBe(false);
    expect(answers[0], 'reported (first) or not (second)').toEqual(answers[1]);
  });
});

describe('a year never published, polled as it fills', () => {
  // VULNERABLE (the first version's pattern, never recorded). A year no publication showed has no
  // version to compare, so hold-back never applies: a dry run shows the pattern of its current
  // data, whose total is hidden while it is 1..k−1 (a change from nothing, docs/release-format.md)
  // and shown from k on. The state a dry run looked at is never a data version, so nothing later is
  // protected against it: polling once a day says when a small number of incidents arrived, and the
  // first release (here 5) then pins what came after the last "hidden" poll to 1..4. Requests: dry
  // runs of 2019, then the first release. Smallest fix: a dry run of a year with no recorded version
  // answers without that year's hidden cells (or refuses it, from the log alone: no version yet).
  // FIXED: a dry run of a year no log entry used is refused (409 dry_run_unpublished_year), from
  // the log alone, whatever the year holds.
  it('polling dry runs of a never-published year does not say when its total is small', async () => {
    const w = await world();
    const req = { series: 'sonda', filter: { year: 2019 }, tables: [['year', 'region']] };
    const poll = async () => {
      const res = await signed(w.t.app, 'POST', '/api/v1/releases/dry-run', w.t.publisher, req);
      return [res.status, res.body.error?.code];
    };
    await submit(w.t, w.c, 2, { year: 2019, region: 'PE-TUM' });
    const two = await poll();
    await submit(w.t, w.c, 3, { year: 2019, region: 'PE-TUM' });
    const five = await poll();
    expect(two).toEqual([409, 'dry_run_unpublished_year']);
    const first = await publish(w.t, req);
    expect(cellOf(first.manifest, 0, { year: '2019', region: '*' }).count).toBe(5);
    // what the attacker computes: hidden at the poll, 5 at the release → 1..4 came in between
    expect(two, 'hidden while 2, shown at 5').toEqual(five);
  });
});

describe('a year never published, padded by a member', () => {
  // Defended: a member B adds its own reports one at a time to a year no publication showed, where
  // the others reported 2: every dry run is refused alike (no log entry used 2019), so none says
  // the others' count is k − b.
  it('dry runs of a never-published year do not turn when a member pads it', async () => {
    const w = await world();
    const b = await enrolMember(w.t);
    await submit(w.t, w.c, 2, { year: 2019, region: 'PE-TUM' });
    await submit(w.t, w.a, 20, { year: 2019, region: 'PE-LMA' });
    const answers: string[] = [];
    for (let own = 0; own <= K; own++) {
      const res = await signed(w.t.app, 'POST', '/api/v1/releases/dry-run', w.t.publisher, {
        series: 'sonda',
        filter: { year: 2019 },
        tables: [['year', 'region']],
      });
      answers.push(`${res.status} ${res.body.error?.code}`);
      await submit(w.t, b, 1, { year: 2019, region: 'PE-TUM' });
    }
    expect(answers).toEqual(answers.map(() => '409 dry_run_unpublished_year'));
  });
});

describe('odd dry runs', () => {
  let w: World;
  beforeAll(async () => {
    const t = await startTestApp('sqlite', { minK: K, dpBounds: { totalRho: '1', maxRho: '0.5' } });
    const [a, c] = [await enrolMember(t), await enrolMember(t)];
    const aIds = await submit(t, a, 30, { year: 2023, region: 'PE-LMA' });
    const cIds = await submit(t, c, 12, { year: 2023, region: 'PE-CUS' });
    w = { t, a, c, aIds, cIds };
    await publish(t, { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']] });
    await publish(t, { series: 'grande', k: 10, filter: { year: 2023 }, tables: [['year', 'region']] });
    const dp = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, {
      series: 'ruido',
      method: 'dp',
      rho: '0.25',
      filter: { year: 2023 },
      tables: [['region']],
    });
    expect(dp.status).toBe(201);
    await submit(t, a, 2, { year: 2023, region: 'PE-LMA' });
  });
  afterAll(async () => w?.t.close());

  // Defended: none of these is answered with a 500 (each is a stable 2xx or 4xx).
  it.each([
    ['a year with no data and no version', { series: 'x', filter: { year: 1990 }, tables: [['year', 'region']] }],
    ['a year repeated', { series: 'x', filter: { years: [2023, 2023] }, tables: [['year']] }],
    ['many years', { series: 'x', filter: { years: Array.from({ length: 50 }, (_, i) => 1995 + i) }, tables: [['year']] }],
    ['region groups without a region table', { series: 'x', filter: { year: 2023 }, tables: [['incidentType']], regionGroups: true }],
    ['region groups', { series: 'x', filter: { years: [2022, 2023] }, tables: [['region', 'incidentType']], regionGroups: true }],
    ['four dimensions', { series: 'x', filter: { year: 2023 }, tables: [['year', 'region', 'incidentType', 'quarter']] }],
    ['the same table twice', { series: 'x', filter: { year: 2023 }, tables: [['incidentType'], ['incidentType']] }],
    ['holdBack "none" asked', { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']], holdBack: 'none' }],
    ['a dp series as suppression', { series: 'ruido', filter: { year: 2023 }, tables: [['region']] }],
    ['a dp dry run', { series: 'ruido', method: 'dp', rho: '0.25', filter: { year: 2023 }, tables: [['region']] }],
    ['k of a new series above the minimum', { series: 'x', k: 7, filter: { year: 2023 }, tables: [['year']] }],
    ['k of a series other than its own', { series: 'grande', k: 5, filter: { year: 2023 }, tables: [['year']] }],
    ['a series of k = 10 over a held year', { series: 'grande', filter: { years: [2023, 2024] }, tables: [['year', 'region']] }],
    ['a null filter', { series: 'x', filter: null, tables: [['year']] }],
    ['an empty body', {}],
  ])('%s', async (_name, body) => {
    const res = await signed(w.t.app, 'POST', '/api/v1/releases/dry-run', w.t.publisher, body);
    expect(res.status).toBeLessThan(500);
    if (res.status >= 400) expect(typeof res.body.error?.code).toBe('string');
  });
});
