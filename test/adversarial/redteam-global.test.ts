// Red-team attacks on the promises of issues 14 (one attacker model over everything published)
// and 15 (counting a hostile member cannot probe or bend), written from the attacker's side.
//
// The attacker holds every entry of the publication log (GET /api/v1/publications), knows its own
// reports exactly, and may be a member organisation (invented reports, reused dedupe tags,
// amendments and withdrawals of its own reports) or a publisher (drafts and dry runs with any
// parameters, hold-back). Each test asserts the SAFE behaviour, so it fails when the attack works.
// Attacks that work today are kept as `it.fails(...)` with a comment saying what leaks: they are
// open vulnerabilities, not accepted behaviour (see the red-team report on the `redteam` branch).
// SQLite only and small data, to keep the run light.
//
// Fixed: hold-back and dry-run patterns saying a pending change is small (a dry run looks only at
// data versions a publication already used).
// Fixed since the red team found them (now plain `it`): an exact DP total (keepTotal) never
// protected; the holdings rule skipped on "changes" versions and on multi-year "setchange" steps; `release_too_small` as an unlogged oracle;
// k fixed by signed releases only and a larger k republishing a 5; the change between
// non-consecutive versions; draft `stats.sensitive`; equal
// Merkle roots across versions after a lifted quarantine; the flags answer naming a member (the
// documentation was wrong: the steward needs the key id to quarantine); two colluding keys padding
// one cell (pairs in the holdings rule); a reused dedupe tag answered by the counts (the filed
// rule) and by the member's own inclusion proofs (reports counted in their own year).
// Defended (it): three overlapping year sets; region groups against leaves; consecutive changes
// from withdrawals and a quarantine; structural zeros (here); the two padding controls. Where the
// independent auditor can see the log, a test says whether it catches the case.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, dedupeTag } from '../../crypto/index.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp, submitReports as submit } from '../helpers/app.js';
import { auditLog } from '../helpers/audit-log.js';
import { publish } from '../helpers/releases.js';
import { referenceInterval } from '../disclosure/helpers.js';

const K = 5;
const SECRET = Buffer.alloc(32, 7).toString('base64'); // the coalition's dedupe secret every member holds

type Cell = { key: Record<string, string>; count: number | null; suppressed: boolean };
type Manifest = {
  tables: Array<{ dimensions: string[]; cells: Cell[] }>;
  data: Array<{ year: number; version: number; since: string | null; heldBack: boolean }>;
  k?: number;
};
const cellsOf = (m: Manifest): Cell[] => m.tables.flatMap((t) => t.cells);
const find = (m: Manifest, key: Record<string, string>): Cell => {
  const c = cellsOf(m).find((x) => canonicalJson(x.key) === canonicalJson(key));
  if (!c) throw new Error(`no cell ${JSON.stringify(key)}`);
  return c;
};
const small = (x: number): boolean => Math.abs(x) >= 1 && Math.abs(x) <= K - 1;

async function draft(t: TestApp, body: Record<string, unknown>) {
  return signed(t.app, 'POST', '/api/v1/releases', t.publisher, body);
}

describe('DP releases next to suppression releases (issue 14, item 4)', () => {
  let t: TestApp;
  let a: SigningKey;
  let c: SigningKey;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: K, dpBounds: { totalRho: '1', maxRho: '0.5' } });
    [a, c] = [await enrolMember(t), await enrolMember(t)];
    await submit(t, a, 30, { year: 2023, region: 'PE-LMA' });
    await submit(t, c, 12, { year: 2023, region: 'PE-CUS' });
    await submit(t, c, 3, { year: 2024, region: 'PE-TUM' }); // 2024: three incidents in all
  });
  afterAll(async () => t?.close());

  // FIXED (was VULNERABLE). A DP draft never went through the global protection, yet with
  // `keepTotal` its grand total is EXACT, and the global model (release-views.ts) records it as a
  // published count. Attacker (publisher, or anyone reading the log): suppression release of 2023
  // publishes total T23; a DP release over 2023+2024 with keepTotal publishes T23 + T24 exactly →
  // T24 = 3, a small count; and a DP release after late reports publishes T23' → the change
  // T23' − T23 = 2. Now keepTotal is refused (409 dp_total_unprotected) unless a suppression
  // publication of the same tables, protected against the whole log, would show the total.
  it('an exact DP total never reveals a small year total or a small change', async () => {
    const sup = await publish(t, { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']] });
    const t23 = find(sup.manifest, { year: '2023', region: '*' }).count;
    expect(t23).toBe(42); // published by the suppression release
    const dp = await draft(t, { series: 'tendencia', method: 'dp', rho: '0.5', keepTotal: true, filter: { years: [2023, 2024] }, tables: [['region']] });
    if (dp.status === 201) expect(small((find(dp.body.manifest, { region: '*' }).count as number) - t23!)).toBe(false);
    else expect([dp.status, dp.body.error.code]).toEqual([409, 'dp_total_unprotected']);
    expect(dp.status).toBe(409); // here the 2024 total is 3: the exact total must be refused
    await submit(t, a, 2, { year: 2023, region: 'PE-LMA' });
    const dp2 = await draft(t, { series: 'tendencia-2023', method: 'dp', rho: '0.5', keepTotal: true, filter: { year: 2023 }, tables: [['region']] });
    if (dp2.status === 201) expect(small((find(dp2.body.manifest, { region: '*' }).count as number) - t23!)).toBe(false);
    else expect([dp2.status, dp2.body.error.code]).toEqual([409, 'dp_total_unprotected']);
    // without keepTotal the same DP release is drawn (noisy total, nothing exact)
    const noisy = await draft(t, { series: 'tendencia', method: 'dp', rho: '0.5', filter: { years: [2023, 2024] }, tables: [['region']] });
    expect(noisy.status).toBe(201);
  });

  // Before the fix the auditor failed this log ("hidden-small": 2024 v1 total = 3); now the
  // exact total is never published, and the log passes.
  it('the independent auditor passes this log (no exact total pins a small count)', async () => {
    const r = await auditLog(t);
    expect([r.code, r.checks.intervals], r.failures).toEqual([0, 'pass']);
  });
});

describe('a member escapes the holdings rule on changes by amending one of its own reports (issue 15, item 1)', () => {
  let t: TestApp;
  let a: SigningKey;
  let b: SigningKey;
  let c: SigningKey;
  let bPiura: string[];
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: K });
    [a, b, c] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
    await submit(t, a, 30, { year: 2023, region: 'PE-LMA' });
    await submit(t, c, 12, { year: 2023, region: 'PE-CUS' });
    bPiura = await submit(t, b, 6, { year: 2023, region: 'PE-PIU' });
  });
  afterAll(async () => t?.close());

  // FIXED (model.ts: holdings on every change, each member's net change taken off) — was
  // VULNERABLE. The holdings rule on a change (D − one member's additions in 1..k−1) is applied
  // only when the version's `since` is "additions" (model.ts: `p.kind === 'change' && p.lower === 0`);
  // a "changes" version gets the band rule on the NET change only. Any member can make a year's
  // next version "changes" at will, by amending (or withdrawing) one of its own reports.
  // Attacker B: knows its own reports. Release 1: Lima = 30. Then A adds 2 in Lima (the secret);
  // B pads Lima with 5 invented reports and amends one of its Piura reports with the same values
  // (so nothing it did is visible except the version becoming "changes"). Release 2: Lima = 37,
  // every cell published; B computes 37 − 30 − 5 = 2: another organisation added exactly two
  // incidents in Lima. (With "additions" the same padding is refused by the holdings rule.)
  // Fix: apply the holdings rule to every change cell, whatever its `since`: for each member m,
  // protect D − (m's additions − m's removals) in the cell like a change (band rule on it).
  it('what the others added to a cell is never a published small number, even when B makes the version "changes"', async () => {
    const r1 = await publish(t, { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] });
    expect(find(r1.manifest, { year: '2023', region: 'PE-LMA' }).count).toBe(30);
    await submit(t, a, 2, { year: 2023, region: 'PE-LMA' }); // what B wants to learn
    await submit(t, b, 5, { year: 2023, region: 'PE-LMA' }); // padding
    const amend = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, b, sampleReport(t, { year: 2023, region: 'PE-PIU', supersedes: bPiura[0] }));
    expect(amend.status).toBe(201);
    const r2 = await publish(t, { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] });
    expect(r2.manifest.data[0].since).toBe('changes');
    const bOwnChange: Record<string, number> = { 'PE-LMA': 5, 'PE-PIU': 0 };
    for (const cell of cellsOf(r2.manifest)) {
      const before = find(r1.manifest, cell.key);
      if (cell.count === null || before.count === null) continue;
      const mine = cell.key.region === '*' ? 5 : (bOwnChange[cell.key.region!] ?? 0);
      const others = cell.count - before.count - mine;
      expect(small(others), `others' change in ${JSON.stringify(cell.key)}: ${cell.count} − ${before.count} − ${mine}`).toBe(false);
    }
  });
});

describe('a member escapes the holdings rule on a multi-year series by touching both years (issue 15, item 1)', () => {
  let t: TestApp;
  let a: SigningKey;
  let b: SigningKey;
  let c: SigningKey;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: K });
    [a, b, c] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
    await submit(t, a, 20, { year: 2023, region: 'PE-LMA' });
    await submit(t, a, 10, { year: 2024, region: 'PE-LMA' });
    await submit(t, c, 12, { year: 2023, region: 'PE-CUS' });
    await submit(t, c, 8, { year: 2024, region: 'PE-CUS' });
  });
  afterAll(async () => t?.close());

  // FIXED (model.ts: holdings on setchange cells too) — was
  // VULNERABLE. A series over a year set ([2023, 2024], tables without `year`) publishes only
  // year-set sums S. When both years moved to new versions between two of its releases, the two
  // sums share no per-year quantity, so model.ts links them by a "setchange" X = S2 − S1 with the
  // band rule only: no holdings rule and no "additions" lower bound. Attacker B: release 1 shows
  // Lima(2023+2024) = 30. A adds 2 Lima reports in 2023 (the secret); B adds 5 invented Lima
  // reports in 2023 and 1 in 2024 (so that both years change). Release 2 shows Lima = 38; B
  // computes 38 − 30 − 6 = 2.
  // Fix: apply the holdings rule (and the additions level rule when every year of the step is
  // "additions") to setchange cells, or always decompose year-set sums into their years' counts.
  it('what the others added to a multi-year cell is never a published small number', async () => {
    const req = { series: 'acumulado', filter: { years: [2023, 2024] }, tables: [['region']] };
    const r1 = await publish(t, req);
    expect(find(r1.manifest, { region: 'PE-LMA' }).count).toBe(30);
    await submit(t, a, 2, { year: 2023, region: 'PE-LMA' });
    await submit(t, b, 5, { year: 2023, region: 'PE-LMA' });
    await submit(t, b, 1, { year: 2024, region: 'PE-LMA' });
    const r2 = await publish(t, req);
    expect(r2.manifest.data.map((d: { version: number }) => d.version)).toEqual([2, 2]);
    for (const cell of cellsOf(r2.manifest)) {
      const before = find(r1.manifest, cell.key);
      if (cell.count === null || before.count === null) continue;
      const mine = cell.key.region === '*' || cell.key.region === 'PE-LMA' ? 6 : 0;
      const others = cell.count - before.count - mine;
      expect(small(others), `others' change in ${JSON.stringify(cell.key)}: ${cell.count} − ${before.count} − ${mine}`).toBe(false);
    }
  });
});

const LAST_ID = 'ffffffff-ffff-4fff-bfff-ffffffffffff';

describe('a reused dedupe tag as an oracle: was this victim already reported? (issue 15, threat table)', () => {
  // Two worlds, the same in every count: in `t` organisation A reported the victim B will guess;
  // in `u` A reported another victim instead. B guesses her tag and files one report under it.
  let t: TestApp;
  let u: TestApp;
  const bOf = new Map<TestApp, SigningKey>();
  const known = { year: 2023, region: 'PE-LMA', incidentType: 'homicide' };
  const guessed = dedupeTag(SECRET, 'Victima Conocida, Lima, 2023');
  beforeAll(async () => {
    for (const [world, tagOfA] of [
      ['t', guessed],
      ['u', dedupeTag(SECRET, 'Otra Victima, Lima, 2023')],
    ] as const) {
      const app = await startTestApp('sqlite', { minK: K });
      const [a, bb, c] = [await enrolMember(app), await enrolMember(app), await enrolMember(app)];
      await submit(app, a, 29, known);
      await submit(app, a, 1, { ...known, dedupeTag: tagOfA });
      await submit(app, c, 12, { year: 2023, region: 'PE-CUS' });
      bOf.set(app, bb);
      if (world === 't') t = app;
      else u = app;
    }
  });
  afterAll(async () => {
    await t?.close();
    await u?.close();
  });

  /** Every cell of a release: its key, what it shows, whether it is hidden. */
  const picture = (m: Manifest) => cellsOf(m).map((c) => [canonicalJson(c.key), c.count, c.suppressed]);

  // FIXED (was VULNERABLE). B guesses a victim, computes her dedupe tag with the coalition secret
  // and files one report under it. If another organisation already reported her, the report
  // joined that incident: nothing counted changed, and the next release republished every count;
  // if nobody had, it was a new incident, a change of 1 the next release had to hide. So the
  // release answered B's question. Now the model keeps every "additions" change able to reach
  // what one member filed anew in it (the filed rule, docs/release-format.md): B's report is
  // protected as if it were new, whether or not it joined, and the two worlds publish the same.
  it('submitting under a guessed tag gives the same published picture whether or not the victim was reported', async () => {
    const req = { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] };
    const before = await Promise.all([t, u].map((w) => publish(w, req)));
    expect(picture(before[0]!.manifest)).toEqual(picture(before[1]!.manifest));
    // B's report id sorts after A's in world t, so a filed rule that kept only the first report's
    // member of each item would miss B (the mutation run's M19 passed here with random ids)
    for (const w of [t, u]) {
      const res = await signed(w.app, 'PUT', `/api/v1/reports/${LAST_ID}`, bOf.get(w)!, sampleReport(w, { ...known, dedupeTag: guessed }));
      expect(res.status).toBe(201);
    }
    const after = await Promise.all([t, u].map((w) => publish(w, req)));
    expect(after.map((r) => find(r.manifest, { year: '2023', region: 'PE-LMA' }).suppressed)).toEqual([true, true]);
    expect(picture(after[0]!.manifest)).toEqual(picture(after[1]!.manifest));
  });

  // Then B withdraws its report. Had it joined A's incident, no incident would go, and the version
  // used to say "additions"; had it been alone, its incident went: "changes". Now a version that
  // drops any counted report is "changes" (services/incidents.ts, sinceOf), in both worlds.
  it('withdrawing the guessed report says nothing either: the same kind of version in both worlds', async () => {
    const req = { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] };
    const kinds = [];
    for (const w of [t, u]) {
      const mine = await signed(w.app, 'GET', '/api/v1/reports', bOf.get(w)!);
      expect(mine.body.items).toHaveLength(1);
      const res = await signed(w.app, 'POST', `/api/v1/reports/${mine.body.items[0].id}/withdraw`, bOf.get(w)!, {});
      expect(res.status).toBe(200);
      kinds.push((await publish(w, req)).manifest.data[0]);
    }
    expect(kinds.map((d) => [d.version, d.since])).toEqual([
      [3, 'changes'],
      [3, 'changes'],
    ]);
  });
});

describe('a refused request as an oracle: release_too_small (issue 14, item 5)', () => {
  let t: TestApp;
  let a: SigningKey;
  let b: SigningKey;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: K });
    [a, b] = [await enrolMember(t), await enrolMember(t)];
    await submit(t, a, 30, { year: 2023, region: 'PE-LMA' });
    await submit(t, a, 2, { year: 2019, region: 'PE-TUM' }); // the secret: 2 incidents in 2019
  });
  afterAll(async () => t?.close());

  // FIXED (was VULNERABLE). compute() refused with `release_too_small` when the incidents counted over the
  // request's years are fewer than k, before protection and for dry runs too; nothing is logged,
  // so it can be asked any number of times. A publisher alone learns "2019 holds 0..k−1
  // incidents" (an upper bound < k on a quantity never published). With a member B adding
  // invented reports to 2019 one at a time (withdrawn afterwards, never published), the first
  // dry run that succeeds after B's b-th report gives the others' count exactly: k − b = 2.
  // Fix: do not refuse on the true count; refuse only on public facts (e.g. no data version and
  // no report at all is not distinguishable either: simply run the protection, which hides every
  // cell of a small year), or answer a small year exactly like any other dry run.
  it('dry runs give the same kind of answer however few incidents a year holds', async () => {
    const answers: string[] = [];
    for (let own = 0; own <= 4; own++) {
      const res = await signed(t.app, 'POST', '/api/v1/releases/dry-run', t.publisher, {
        series: 'sonda',
        filter: { year: 2019 },
        tables: [['year', 'region']],
      });
      answers.push(res.status === 200 ? 'shown' : res.body.error.code);
      await submit(t, b, 1, { year: 2019, region: 'PE-LMA' });
    }
    // what B and the publisher compute: the others' count in 2019 = k − (B's reports at the first success)
    const first = answers.indexOf('shown');
    expect(answers, `first success after ${first} of B's reports: the others reported ${K - first}`).toEqual(answers.map(() => answers[0]));
  });
});

describe('hold-back says whether the held change is small (issue 14, item 6)', () => {
  let t: TestApp;
  let a: SigningKey;
  let c: SigningKey;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: K });
    [a, c] = [await enrolMember(t), await enrolMember(t)];
    await submit(t, a, 30, { year: 2023, region: 'PE-LMA' });
    await submit(t, c, 12, { year: 2023, region: 'PE-CUS' });
  });
  afterAll(async () => t?.close());

  // FIXED (was VULNERABLE: inference from the decision, not from an LP interval). With holdBack
  // "auto", a year was held back exactly when publishing its new data would hide a headline
  // figure, i.e. when a headline's change was small (1..k−1, or small once one member's share is
  // taken off): release 2's `heldBack: true` for 2023 said that between 1 and k−1 incidents were
  // added to the 2023 total (here 2), and release 3's `heldBack: false` that the pending change had
  // reached k. Now (services/hold-back.ts) a year is held while some headline's change — or what
  // the others changed, for any member or pair — is in 1..k+p−1 in size, decided from the changes
  // alone: the bit says "in 1..k+p−1" (width ≥ p, reaching k) or "0 or ≥ k+p", never "small".
  it('heldBack does not separate a small pending change from a large one', async () => {
    const req = { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']], holdBack: 'auto' };
    await publish(t, req);
    await submit(t, a, 2, { year: 2023, region: 'PE-LMA' });
    const r2 = await publish(t, req); // pending 2: small
    await submit(t, a, 3, { year: 2023, region: 'PE-LMA' });
    const r3 = await publish(t, req); // pending 5 = k: not small, and the same bit
    expect(r2.manifest.data[0].heldBack).toBe(true);
    expect(r3.manifest.data[0].heldBack).toBe(r2.manifest.data[0].heldBack);
    expect(find(r3.manifest, { year: '2023', region: '*' }).count).toBe(42);
    await submit(t, a, 5, { year: 2023, region: 'PE-LMA' });
    const r4 = await publish(t, req); // pending 10 = k + p: published
    expect(r4.manifest.data[0].heldBack).toBe(false);
    expect(find(r4.manifest, { year: '2023', region: '*' }).count).toBe(52);
  });

  // FIXED (was VULNERABLE: the same inference, for free). A dry run computed the pattern on the
  // current data and logs nothing, so a publisher could poll it: "the 2023 total would be hidden"
  // while the pending change of the total was 1..k−1 (or small for one member), "nothing hidden"
  // once it was ≥ k. Now a dry run never looks at data no publication used (releases.ts
  // computeOnce): each year at the latest version a log entry used.
  /** What a dry run of `req` shows after two more Lima reports of 2023 (a small pending change), then three more (5 = k). */
  async function smallThenLarge(req: Record<string, unknown>) {
    const dry = async () => (await signed(t.app, 'POST', '/api/v1/releases/dry-run', t.publisher, req)).body;
    await submit(t, a, 2, { year: 2023, region: 'PE-LMA' });
    const small2 = await dry();
    await submit(t, a, 3, { year: 2023, region: 'PE-LMA' });
    const large5 = await dry();
    expect(small2.dryRun && large5.dryRun).toBe(true);
    const hidden = (d: { tables: Array<{ hiddenCells: unknown }> }) => d.tables.map((x) => x.hiddenCells);
    return { small2, large5, dry, hidden };
  }

  it('a dry run does not say whether the pending change of a headline is small', async () => {
    const req = { series: 'sondeo', filter: { year: 2023 }, tables: [['year', 'region']] };
    await publish(t, req);
    const { small2, large5, hidden } = await smallThenLarge(req);
    expect(hidden(small2)).toEqual(hidden(large5));
  });

  // The same poll through a series that never published (the hold-back decision is the log's, not
  // the series': every version at which any publication showed the 2023 total is compared).
  it('a dry run of a series never published does not say it either', async () => {
    await publish(t, { series: 'otra-anual', filter: { year: 2023 }, tables: [['year', 'region']] });
    const tables = [
      ['year', 'region'],
      ['year', 'incidentType'],
    ];
    const { small2, large5, hidden } = await smallThenLarge({ series: 'nunca-publicada', filter: { year: 2023 }, tables });
    expect(small2.data).toEqual(large5.data);
    expect(hidden(small2)).toEqual(hidden(large5));
  });

  // The same through tables without the year: over one year, a table's total (and its total per
  // incident type) is that year's figure, the same quantity another series showed per year.
  it('a dry run whose tables have no year column does not say it either', async () => {
    await publish(t, { series: 'tercera', filter: { year: 2023 }, tables: [['year', 'incidentType']] });
    const { small2, large5, hidden } = await smallThenLarge({ series: 'sin-ano', filter: { year: 2023 }, tables: [['region'], ['incidentType']] });
    expect(small2.data).toEqual(large5.data);
    expect(hidden(small2)).toEqual(hidden(large5));
  });

  // Over two years, a table without the year shows only their sum; its hidden cells still follow
  // each year's change (the attacker's system holds the per-year quantities).
  it('a dry run over two years with no year column does not say it either', async () => {
    await submit(t, c, 12, { year: 2024, region: 'PE-CUS' });
    await publish(t, { series: 'cuarta', filter: { years: [2023, 2024] }, tables: [['year', 'region']] });
    const { small2, large5, hidden } = await smallThenLarge({ series: 'dos-sin-ano', filter: { years: [2023, 2024] }, tables: [['region']] });
    expect(small2.data).toEqual(large5.data);
    expect(hidden(small2)).toEqual(hidden(large5));
  });
});

describe('k per publication: a later publication with a larger k (issue 14, item 5)', () => {
  let t: TestApp;
  let a: SigningKey;
  let c: SigningKey;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: K });
    [a, c] = [await enrolMember(t), await enrolMember(t)];
    await submit(t, a, 30, { year: 2023, region: 'PE-LMA' });
    await submit(t, c, 5, { year: 2023, region: 'PE-CUS' });
  });
  afterAll(async () => t?.close());

  // FIXED (was VULNERABLE: broken guarantee, no new number): (1) `k` was fixed by the first SIGNED release
  // (seriesTerms reads Release), while SECURITY.md says "fixed for a series by its first
  // publication" and drafts are publications: a publisher may draft one series at k = 5, then
  // at k = 6. (2) A publication with k = 6 republishes a count of 5 an earlier k = 5 entry
  // published at the same version (published cells are locked, and a locked small cell is never
  // refused), so a k = 6 manifest shows a count in 1..k−1: guarantee 4 ("Threshold") of
  // docs/release-format.md fails for it, and the auditor will reject the server's own log.
  // Fix: read k from the first log entry of the series (drafts included); when a new publication's
  // k makes an already-published count small, refuse it (`release_unprotectable`, or a clear
  // `k_conflicts_with_log`) instead of showing it.
  it('no publication shows a count in 1..k−1 of its own k', async () => {
    const first = await draft(t, { series: 'serie', filter: { year: 2023 }, tables: [['year', 'region']], k: 5 });
    expect(first.status).toBe(201);
    expect(find(first.body.manifest, { year: '2023', region: 'PE-CUS' }).count).toBe(5);
    const other = await draft(t, { series: 'otra', filter: { year: 2023 }, tables: [['year', 'region']], k: 6 });
    if (other.status === 201) {
      expect(other.body.manifest.k).toBe(6);
      for (const cell of cellsOf(other.body.manifest)) {
        expect(cell.count === null || cell.count === 0 || cell.count >= 6, `k = 6 shows ${JSON.stringify(cell)}`).toBe(true);
      }
    } else expect(other.status).toBe(409);
  });

  it('a series drafted (never signed) at k = 5 cannot be drafted again at k = 6', async () => {
    const first = await draft(t, { series: 'borrador', filter: { year: 2023 }, tables: [['year', 'region']], k: 5 });
    expect(first.status).toBe(201);
    const again = await draft(t, { series: 'borrador', filter: { year: 2023 }, tables: [['year', 'region']], k: 6 });
    expect([again.status, again.body.error?.code]).toEqual([409, 'series_k_fixed']);
  });

  // Before the fix the auditor failed this log ("threshold" on the k = 6 entry, "series-parameters"
  // on the re-drafted series): the server had produced a log its own auditor rejects. Now both
  // requests are refused, and the log passes.
  it('the independent auditor passes this log: nothing shows a count below its own k', async () => {
    const r = await auditLog(t);
    expect([r.code, r.checks.threshold, r.checks.versions], r.failures).toEqual([0, 'pass', 'pass']);
  });
});

describe('three series over overlapping year sets (issue 14, item 2)', () => {
  let t: TestApp;
  let a: SigningKey;
  let c: SigningKey;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: K });
    [a, c] = [await enrolMember(t), await enrolMember(t)];
    for (const year of [2023, 2024, 2025]) await submit(t, a, 20, { year, region: 'PE-LMA' });
    await submit(t, c, 2, { year: 2023, region: 'PE-CUS' }); // the secret
    await submit(t, c, 10, { year: 2024, region: 'PE-CUS' });
    await submit(t, c, 10, { year: 2025, region: 'PE-CUS' });
  });
  afterAll(async () => t?.close());

  /** Cusco's year-set sum in a release: published, or the total minus every other published region. */
  function cusco(m: Manifest): number | null {
    const own = find(m, { region: 'PE-CUS' });
    if (own.count !== null) return own.count;
    const total = find(m, { region: '*' }).count;
    const rest = cellsOf(m).filter((x) => x.key.region !== '*' && x.key.region !== 'PE-CUS');
    if (total === null || rest.some((x) => x.count === null)) return null;
    return total - rest.reduce((s, x) => s + x.count!, 0);
  }

  // DEFENDED (expected). Each series publishes year-set sums only: [2023, 2024], [2024, 2025],
  // [2023, 2025]. If Cusco's sum is known in all three, Cusco 2023 = (S1 + S3 − S2) / 2 = 2.
  it('Cusco 2023 (2) cannot be solved from the three year-set sums', async () => {
    const sums: Array<number | null> = [];
    for (const [series, years] of [
      ['bienal-a', [2023, 2024]],
      ['bienal-b', [2024, 2025]],
      ['bienal-c', [2023, 2025]],
    ] as const) {
      const res = await draft(t, { series, filter: { years }, tables: [['region']] });
      if (res.status === 409) {
        expect(res.body.error.code).toBe('release_unprotectable');
        sums.push(null);
        continue;
      }
      expect(res.status).toBe(201);
      sums.push(cusco(res.body.manifest));
    }
    const [s1, s2, s3] = [sums[0] ?? null, sums[1] ?? null, sums[2] ?? null];
    expect(sums).toHaveLength(3);
    if (s1 !== null && s2 !== null && s3 !== null) expect(small((s1 + s3 - s2) / 2)).toBe(false);
    // and the same with 2023 on its own: no series can pin it
    const solo = await draft(t, { series: 'solo-2024', filter: { year: 2024 }, tables: [['year', 'region']] });
    if (solo.status === 201 && s1 !== null) {
      const c24 = find(solo.body.manifest, { year: '2024', region: 'PE-CUS' }).count;
      if (c24 !== null) expect(small(s1 - c24)).toBe(false);
    }
  });
});

describe('the steward\'s concentration flags (issue 15, item 4; SECURITY.md "Insiders")', () => {
  let t: TestApp;
  let a: SigningKey;
  let b: SigningKey;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: K });
    [a, b] = [await enrolMember(t), await enrolMember(t)];
    await submit(t, a, 1, { year: 2023, region: 'PE-TUM' });
    await submit(t, b, 4, { year: 2023, region: 'PE-TUM' });
  });
  afterAll(async () => t?.close());

  // Was a MISMATCH between SECURITY.md and the code: SECURITY.md said the flags answer "names no
  // member", while it carries the flagged member's key id, which the steward needs to quarantine
  // it. SECURITY.md now says so; the answer names the flagged key and no other member.
  it("the flags answer names the flagged member's key id and no other member, as SECURITY.md says", async () => {
    const res = await signed(t.app, 'GET', '/api/v1/steward/flags', t.steward);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(JSON.stringify(res.body)).toContain(b.keyId);
    expect(JSON.stringify(res.body)).not.toContain(a.keyId);
    const doc = readFileSync(new URL('../../SECURITY.md', import.meta.url), 'utf8');
    expect(doc).toContain("the answer gives the member's pseudonymous key\n  id");
  });
});

describe('two member keys pad one cell together (issue 15, item 1: holdings of one member only)', () => {
  // Was VULNERABLE ("a compromised organisation, a stolen phone"): the holdings rule took off ONE
  // key's share at a time. Two keys B1, B2 each add 4 invented Tumbes reports to A's one: Tumbes =
  // 9; 9 − 4 = 5 and 9 − 1 = 8 are not small, so Tumbes was published (and no flag raised: each key
  // holds 4/9 < 0.75). Together they computed 9 − 8 = 1: A reported exactly one incident in Tumbes.
  // Now the shares are an ORGANISATION's (all its keys: services/organisations.ts) — the keys the
  // steward enrolled for one organisation, or linked — and, by default (CONTAMOS_HOLDINGS_COALITION
  // 2), any two organisations' together (coalitions.ts).
  const req = { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] };

  /** A's one Tumbes incident, hidden; then two keys pad Tumbes by 4 each; Tumbes in the next release. */
  async function padTwice(opts: { coalition?: number; link?: 'invite' | 'steward' }): Promise<number | null> {
    const t = await startTestApp('sqlite', { minK: K, ...(opts.coalition ? { holdingsCoalition: opts.coalition } : {}) });
    try {
      const [a, c, b1] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
      const b2 = await enrolMember(t, opts.link === 'invite' ? b1.keyId : undefined);
      if (opts.link === 'steward') {
        const res = await signed(t.app, 'POST', `/api/v1/steward/members/${b2.keyId}/organisation`, t.steward, { sameAs: b1.keyId });
        expect(res.status).toBe(200);
      }
      await submit(t, c, 30, { year: 2023, region: 'PE-LMA' });
      await submit(t, a, 1, { year: 2023, region: 'PE-TUM' }); // the secret: A reported one incident in Tumbes
      const r1 = await publish(t, req);
      expect(find(r1.manifest, { year: '2023', region: 'PE-TUM' }).suppressed).toBe(true);
      await submit(t, b1, 4, { year: 2023, region: 'PE-TUM' });
      await submit(t, b2, 4, { year: 2023, region: 'PE-TUM' });
      const r2 = await publish(t, req);
      return find(r2.manifest, { year: '2023', region: 'PE-TUM' }).count;
    } finally {
      await t.close();
    }
  }

  it('two keys of one organisation (enrolled with an invite for it, or linked by the steward) cannot learn what the others reported', async () => {
    for (const link of ['invite', 'steward'] as const) {
      const tum = await padTwice({ link, coalition: 1 });
      if (tum !== null) expect(small(tum - 8), `${link}: Tumbes = ${tum}, the organisation holds 8`).toBe(false);
    }
  });

  it('by default (CONTAMOS_HOLDINGS_COALITION 2), two colluding organisations cannot either', async () => {
    const tum = await padTwice({});
    if (tum !== null) expect(small(tum - 8), `Tumbes = ${tum}, the pair holds 8`).toBe(false);
  });

  // The control, so the two tests above could fail: the same keys as two organisations, with the
  // rule at one organisation at a time (CONTAMOS_HOLDINGS_COALITION=1), publish Tumbes = 9, from
  // which the two, together, compute A's 1: the operator's choice (SECURITY.md, "Insiders").
  it('control: two unlinked keys are two organisations, and with CONTAMOS_HOLDINGS_COALITION=1 the pair can compute the small rest', async () => {
    expect(await padTwice({ coalition: 1 })).toBe(9);
  });
});

describe('region groups in one series, leaves in another (issue 14, item 2)', () => {
  let t: TestApp;
  let a: SigningKey;
  let c: SigningKey;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: K });
    [a, c] = [await enrolMember(t), await enrolMember(t)];
    await submit(t, a, 20, { year: 2023, region: 'PE-LMA' });
    await submit(t, a, 10, { year: 2023, region: 'PE-CAL' });
    await submit(t, c, 2, { year: 2023, region: 'PE-LIM' }); // the secret: Lima province 2
    await submit(t, c, 12, { year: 2023, region: 'PE-CUS' });
    await submit(t, c, 9, { year: 2023, region: 'PE-ARE' });
  });
  afterAll(async () => t?.close());

  // DEFENDED (expected). Series "hojas" publishes regions without groups (hides PE-LIM and a
  // partner); series "grupos" publishes the same year with region groups. If "lima-callao" and
  // the leaves PE-LMA and PE-CAL are all known, PE-LIM = group − LMA − CAL = 2.
  it('the Lima-Callao group total does not undo the hidden Lima province', async () => {
    const leaves = await draft(t, { series: 'hojas', filter: { year: 2023 }, tables: [['year', 'region']] });
    expect(leaves.status).toBe(201);
    expect(find(leaves.body.manifest, { year: '2023', region: 'PE-LIM' }).suppressed).toBe(true);
    const groups = await draft(t, { series: 'grupos', filter: { year: 2023 }, tables: [['year', 'region']], regionGroups: true });
    if (groups.status === 409) return expect(groups.body.error.code).toBe('release_unprotectable');
    expect(groups.status).toBe(201);
    const known = (key: Record<string, string>): number | null => {
      for (const m of [leaves.body.manifest, groups.body.manifest]) {
        const x = cellsOf(m).find((y) => canonicalJson(y.key) === canonicalJson(key));
        if (x && x.count !== null) return x.count;
      }
      return null;
    };
    const lim = known({ year: '2023', region: 'PE-LIM' });
    expect(lim === null || !small(lim)).toBe(true);
    const group = known({ year: '2023', region: 'lima-callao' });
    const lma = known({ year: '2023', region: 'PE-LMA' });
    const cal = known({ year: '2023', region: 'PE-CAL' });
    if (group !== null && lma !== null && cal !== null) expect(small(group - lma - cal)).toBe(false);
  });
});

describe('what a draft answer says besides its manifest (issue 14, item 5: drafts count as seen)', () => {
  let t: TestApp;
  let a: SigningKey;
  let c: SigningKey;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: K });
    [a, c] = [await enrolMember(t), await enrolMember(t)];
    await submit(t, a, 30, { year: 2023, region: 'PE-LMA' });
    await submit(t, c, 12, { year: 2023, region: 'PE-CUS' });
    await submit(t, a, 1, { year: 2023, region: 'PE-TUM' }); // three small cells: 1, 2, 3
    await submit(t, c, 2, { year: 2023, region: 'PE-PIU' });
    await submit(t, c, 3, { year: 2023, region: 'PE-ICA' });
  });
  afterAll(async () => t?.close());

  // FIXED (was VULNERABLE). POST /api/v1/releases answered { draftId, hash, manifest, stats }, and `stats`
  // (from protectInLog) holds `sensitive`: how many quantities of the model are small or
  // holdings-sensitive. It is not in the log, so neither the model nor the auditor knows the
  // publisher saw it. Attacker (publisher): when `sensitive` equals the number of hidden
  // quantities, every hidden cell is a primary, i.e. in 1..k−1: here Tumbes, Piura and Ica are
  // each known to be at most 4 (their LP intervals, [0, 6] each, are what the model promises).
  // Fix: return only what the log holds (manifest, hash, draftId); keep `stats` for the
  // benchmark and logs of counts-free timings, or drop `sensitive`/`suppressed` from it.
  it('the draft answer does not tell which hidden cells are primaries', async () => {
    const res = await draft(t, { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] });
    expect(res.status).toBe(201);
    const hidden = new Set(
      cellsOf(res.body.manifest)
        .filter((x) => x.suppressed)
        .map((x) => x.key.region),
    );
    expect(hidden.size).toBeGreaterThan(0);
    const sensitive = res.body.stats?.sensitive;
    // the attacker's inference: "all hidden quantities are primaries, so each is in 1..k−1"
    expect(sensitive === hidden.size, `stats.sensitive = ${sensitive}, hidden regions = ${[...hidden].join(', ')}`).toBe(false);
    expect(res.body).not.toHaveProperty('stats.sensitive');
  });

  // Found by the red team of the per-year splits: the engine's work (LP solves, rounds, the method
  // — MILP or heuristic, chosen by how many quantities are sensitive — and its time) follows the
  // true counts, not the published ones. The draft answer keeps only figures the manifest and the
  // log give: two data sets with the same published picture give the same stats.
  it('the draft answer states only what the manifest and the log give', async () => {
    const res = await draft(t, { series: 'regiones-b', filter: { year: 2023 }, tables: [['year', 'region']] });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body.stats).sort()).toEqual(['cells', 'hidden', 'known', 'modelCells', 'modelConstraints']);
    const cells = cellsOf(res.body.manifest);
    expect(res.body.stats.hidden).toBe(cells.filter((x) => x.suppressed).length);
  });
});

describe('a quarantine lifted: the Merkle root says two data versions are the same (issue 15, item 3)', () => {
  let t: TestApp;
  let a: SigningKey;
  let b: SigningKey;
  let c: SigningKey;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: K });
    [a, b, c] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
    await submit(t, a, 30, { year: 2023, region: 'PE-LMA' });
    await submit(t, a, 1, { year: 2023, region: 'PE-TUM' }); // the secret: Tumbes 1 (coast)
    await submit(t, c, 20, { year: 2023, region: 'PE-PIU' }); // coast
    await submit(t, c, 5, { year: 2023, region: 'PE-CUS' }); // highlands
    await submit(t, b, 6, { year: 2023, region: 'PE-LOR' }); // B's reports (Amazon)
  });
  afterAll(async () => t?.close());

  // Two data versions with the same counted reports have the same sparse-Merkle root (the root is
  // a function of the leaf set), so anyone reading the log learns "nothing changed" between them,
  // while the model links the versions by free changes. Sequence: release at v1; the steward
  // quarantines B (v2, "changes") and lifts it (v3 = v1's reports, "additions"); a release at v3
  // with another structure (region groups) chooses its secondaries as if v3 were unrelated to v1.
  // The attacker reads v1's pattern and v3's counts as one table and solves the hidden cells.
  // Was VULNERABLE: r1 hides Tumbes (1) and Cusco (5), the cheapest pair; r3, with groups, hides
  // Tumbes, the coast group and the v3 grand total instead, and publishes Cusco = 5 at v3; equal
  // roots say v3 = v1, so Tumbes = r1's total − every other region = 1. Anyone reading the log.
  // Fix: when a new version's counted state (digest) equals an earlier version's, reuse that
  // version number instead of making a new one (chooseVersions compares with the latest version
  // only); more generally, treat versions with equal leaf sets as one version in the model.
  // (A salted root per version would hide the equality but not the `since` trail.)
  // FIXED: every publication's Merkle tree holds one random leaf besides the counted reports
  // (releases.ts), so two versions over the same reports no longer show equal roots: the attacker's
  // premise "v3 = v1" is gone. (Telling them apart through published counts between
  // non-consecutive versions is the open case of the withdrawals test below.)
  it('the Merkle root does not say that a later version counts exactly the same reports', async () => {
    const r1 = await publish(t, { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] });
    expect(find(r1.manifest, { year: '2023', region: 'PE-TUM' }).suppressed).toBe(true);
    expect((await signed(t.app, 'POST', `/api/v1/steward/members/${b.keyId}/quarantine`, t.steward, {})).status).toBe(200);
    await publish(t, { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] });
    expect((await signed(t.app, 'DELETE', `/api/v1/steward/members/${b.keyId}/quarantine`, t.steward)).status).toBe(200);
    const r3 = await publish(t, { series: 'grupos', filter: { year: 2023 }, tables: [['year', 'region']], regionGroups: true });
    expect(r3.manifest.data[0].version).toBe(3);
    // what the attacker sees: different roots, so nothing says v3 = v1
    expect(r3.manifest.merkle.root).not.toBe(r1.manifest.merkle.root);
    // and a member's proof still verifies against each root (the extra leaf changes no proof)
    if (r3.manifest.merkle.root !== r1.manifest.merkle.root) return;
    const value = (region: string): number | null => find(r1.manifest, { year: '2023', region }).count ?? find(r3.manifest, { year: '2023', region }).count;
    const regions = cellsOf(r1.manifest)
      .filter((x) => x.key.year === '2023' && x.key.region !== '*')
      .map((x) => x.key.region!);
    const total = value('*')!;
    const unknown = regions.filter((r) => value(r) === null);
    if (unknown.length === 1) {
      const solved = total - regions.filter((r) => r !== unknown[0]).reduce((s, r) => s + value(r)!, 0);
      expect(small(solved), `${unknown[0]} = ${solved}`).toBe(false);
    }
    // and with the groups of r3 (a group total minus its other members)
    for (const cell of cellsOf(r3.manifest)) {
      const members = r3.manifest.hierarchies.region?.[cell.key.region!] as string[] | undefined;
      if (!members || cell.count === null || cell.key.year !== '2023') continue;
      const open = members.filter((m) => value(m) === null);
      if (open.length !== 1) continue;
      const solved = cell.count - members.filter((m) => m !== open[0]).reduce((s, m) => s + value(m)!, 0);
      expect(small(solved), `${open[0]} = ${cell.count} − the rest of ${cell.key.region}`).toBe(false);
    }
  });

  // (Before the fix the auditor passed the unsafe log too: it passes this log (every check "pass"), since it does not
  // compare the Merkle roots of data versions either. Fix: the auditor treats versions of a year with
  // equal roots as one version (same leaves, same counts) when it builds the system.
  // The auditor does not compare roots across versions; the log it reads no longer carries the
  // equality.
  it('the independent auditor passes this log', async () => {
    const r = await auditLog(t);
    expect(r.code, r.failures).toBe(0);
  });
});

describe('withdrawals and a quarantine between two releases (issue 14, changes; issue 15, item 3)', () => {
  let t: TestApp;
  let a: SigningKey;
  let b: SigningKey;
  let c: SigningKey;
  let aLima: string[];
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: K });
    [a, b, c] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
    aLima = await submit(t, a, 30, { year: 2023, region: 'PE-LMA' });
    await submit(t, c, 12, { year: 2023, region: 'PE-CUS' });
    await submit(t, c, 9, { year: 2023, region: 'PE-ARE' });
    await submit(t, b, 7, { year: 2023, region: 'PE-PIU' });
    await submit(t, b, 3, { year: 2023, region: 'PE-CUS' }); // Cusco: 15, B holds 3
  });
  afterAll(async () => t?.close());

  const req = { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] };
  /** Every cell published in both releases: its change is 0 or at least k in size. */
  function noSmallChange(before: Manifest, after: Manifest): void {
    for (const cell of cellsOf(after)) {
      const was = find(before, cell.key);
      if (cell.count === null || was.count === null) continue;
      expect(small(cell.count - was.count), `${JSON.stringify(cell.key)}: ${was.count} → ${cell.count}`).toBe(false);
    }
  }

  let r1: { manifest: any };
  let r3: { manifest: any };

  // DEFENDED: between consecutive versions, a change of −2 (two withdrawals by A) and one of −3
  // (B's Cusco reports leaving with its quarantine) are never published on both sides.
  it('two withdrawals, then a quarantine: no published cell moves by 1..k−1 from one version to the next', async () => {
    r1 = await publish(t, req);
    for (const id of aLima.slice(0, 2)) expect((await signed(t.app, 'POST', `/api/v1/reports/${id}/withdraw`, a, {})).status).toBe(200);
    const r2 = await publish(t, req);
    expect(r2.manifest.data[0].since).toBe('changes');
    noSmallChange(r1.manifest, r2.manifest);
    expect((await signed(t.app, 'POST', `/api/v1/steward/members/${b.keyId}/quarantine`, t.steward, {})).status).toBe(200);
    r3 = await publish(t, req);
    expect(r3.manifest.data[0]).toMatchObject({ version: 3, since: 'changes' });
    noSmallChange(r2.manifest, r3.manifest);
  });

  // FIXED (model.ts: a change quantity between every two non-consecutive versions of a year) —
  // was VULNERABLE. The model linked versions only step by step (D(v) = A(v) − A(v−1)), and a
  // "changes" step is free in sign, so the LP sees no bound on D2 or D3 alone; but their SUM is
  // published: r1 shows Lima = 30 (v1), r2 hides Lima (v2: two withdrawals), r3 (v3: B
  // quarantined, Lima untouched) shows Lima = 28. Anyone reading the log: Lima lost exactly 2
  // incidents between release 1 and release 3. docs/release-format.md promises that the net
  // change between ANY two version vectors that appear in the log is not provably in ±(1..k−1).
  // (With "additions" steps the LP catches it, since D ≥ 0 bounds each step by the sum.)
  // Fix: add a change quantity A(v_j) − A(v_i) for every pair of versions of a year that appear in
  // the log (or at least from each new version to every earlier one with published cells), with
  // the band rule, in model.ts; the auditor's check 6 likewise.
  it('no published cell moves by 1..k−1 between two non-consecutive versions (v1 → v3)', () => {
    expect(r3).toBeDefined();
    noSmallChange(r1.manifest, r3.manifest);
  });

  // The auditor catches it ("change-small": Lima from 2023 v1 to 2023 v3 = −2, exact): the server's
  // model and its auditor disagree on which changes are protected.
  // Before the fix the auditor failed this log (change-small, Lima 30 → 28 from v1 to v3); now
  // the server protects that change too, and the log passes.
  it('the independent auditor passes this log (no change from v1 to v3 in 1..k−1)', async () => {
    const r = await auditLog(t);
    expect([r.code, r.checks.changes], r.failures).toEqual([0, 'pass']);
  });
});

describe('inclusion proofs as a dedupe oracle (issue 15; SECURITY.md threat table)', () => {
  let t: TestApp;
  let a: SigningKey;
  let b: SigningKey;
  let c: SigningKey;
  const reported = dedupeTag(SECRET, 'Victima Conocida, Lima, 2023');
  const unreported = dedupeTag(SECRET, 'Victima Desconocida, Tumbes, 2023');
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: K });
    [a, b, c] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
    await submit(t, a, 29, { year: 2023, region: 'PE-LMA' });
    await submit(t, a, 1, { year: 2023, region: 'PE-LMA', dedupeTag: reported }); // A reported her
    await submit(t, c, 12, { year: 2023, region: 'PE-CUS' });
  });
  afterAll(async () => t?.close());

  // FIXED (was VULNERABLE). The Merkle leaves of a release were every report of every incident it
  // counted (all reports under a counted tag), and a member may ask for the proof of its own
  // report. B guessed two victims and filed one report under each tag, with year 2019 (a year
  // nobody publishes; the values need not match). The report under a tag someone had already
  // reported in 2023 became a leaf of the next 2023 release (it joined that incident), the other
  // did not: the proof route answered 200 for the first and `not_in_release` for the second. Now
  // every counted report belongs to the year it states (services/incidents.ts): both are leaves
  // of 2019's releases and of no 2023 release, and 2023's data version does not move.
  it("a member cannot tell from its own proofs whether its report joined another member's incident", async () => {
    await publish(t, { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] });
    const [joined] = await submit(t, b, 1, { year: 2019, region: 'PE-TUM', dedupeTag: reported });
    const [alone] = await submit(t, b, 1, { year: 2019, region: 'PE-TUM', dedupeTag: unreported });
    const r2 = await publish(t, { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] });
    const r2019 = await publish(t, { series: 'antes', filter: { year: 2019 }, tables: [['year', 'region']] });
    const askIn = async (release: string, id: string) => {
      const res = await signed(t.app, 'GET', `/api/v1/releases/${release}/proof/${id}`, b);
      return [res.status, res.body.error?.code ?? 'proof'];
    };
    expect(await askIn(r2019.manifest.id, joined!)).toEqual([200, 'proof']);
    expect(await askIn(r2019.manifest.id, alone!)).toEqual([200, 'proof']);
    expect(r2.manifest.data).toEqual([expect.objectContaining({ year: 2023, version: 1 })]);
    const ask = (id: string) => askIn(r2.manifest.id, id);
    expect(await ask(joined!)).toEqual(await ask(alone!));
  });
});

describe('structural zeros of the taxonomy (an outcome only for disappearances)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: K });
    const [a, c] = [await enrolMember(t), await enrolMember(t)];
    await submit(t, a, 30, { year: 2023, incidentType: 'homicide', region: 'PE-LMA' });
    await submit(t, c, 12, { year: 2023, incidentType: 'extortion', region: 'PE-CUS' });
    await submit(t, c, 2, { year: 2023, incidentType: 'disappearance', outcome: 'found-alive', region: 'PE-CUS' });
    await submit(t, a, 1, { year: 2023, incidentType: 'disappearance', outcome: 'found-dead', region: 'PE-LMA' });
    await submit(t, a, 9, { year: 2023, incidentType: 'disappearance', outcome: 'still-missing', region: 'PE-LMA' });
  });
  afterAll(async () => t?.close());

  // DEFENDED here (a residual risk in general). The attacker knows the taxonomy: a disappearance
  // always has an outcome and nothing else does, so every (incident type, outcome) cell off that
  // pattern is 0. The model does not know it (cells are free non-negative), and the engine does
  // hide one such cell (disappearance × not-applicable) as a secondary in this release. Solved
  // with those zeros added (independent LP, test/disclosure/helpers.ts), no hidden interval falls
  // below k here; with other data a secondary structural zero is protection only on paper.
  // Suggested hardening: give the model the taxonomy's structural zeros as fixed 0.
  it('knowing the structural zeros narrows no hidden cell below k', async () => {
    const res = await draft(t, {
      series: 'desenlaces',
      filter: { year: 2023 },
      tables: [
        ['incidentType', 'outcome'],
        ['region', 'outcome'],
      ],
    });
    expect(res.status).toBe(201);
    const m = res.body.manifest as Manifest & { domains: Record<string, string[]> };
    const ids = new Map<string, number>();
    const idOf = (key: Record<string, string>): number => {
      const id = canonicalJson(Object.fromEntries(Object.entries(key).filter(([d, v]) => v !== '*' && d !== 'year')));
      if (!ids.has(id)) ids.set(id, ids.size);
      return ids.get(id)!;
    };
    const count = new Map<number, number | null>();
    const keyOf = new Map<number, Record<string, string>>();
    for (const cell of cellsOf(m)) {
      count.set(idOf(cell.key), cell.count);
      keyOf.set(idOf(cell.key), cell.key);
    }
    const constraints = m.tables.flatMap((tb) =>
      tb.cells.flatMap((cell) =>
        tb.dimensions
          .filter((d) => d !== 'year' && cell.key[d] === '*')
          .map((d) => ({ total: idOf(cell.key), parts: m.domains[d]!.map((code) => idOf({ ...cell.key, [d]: code })) })),
      ),
    );
    const structural = (k: Record<string, string>): boolean =>
      k.incidentType !== undefined &&
      k.incidentType !== '*' &&
      k.outcome !== undefined &&
      k.outcome !== '*' &&
      (k.incidentType === 'disappearance') === (k.outcome === 'not-applicable');
    const cells = [...count.keys()].map((id) => ({ id, value: count.get(id) ?? 0 })); // a structural zero's value is 0
    const hidden = [...count.keys()].filter((id) => count.get(id) === null);
    expect(
      hidden.some((id) => structural(keyOf.get(id)!)),
      'the engine hid a structural zero',
    ).toBe(true);
    const unknownToAttacker = new Set(hidden.filter((id) => !structural(keyOf.get(id)!)));
    for (const id of unknownToAttacker) {
      const [lo, hi] = await referenceInterval(cells, constraints, unknownToAttacker, id);
      expect(hi >= K && (lo >= K || hi - lo >= K), `${JSON.stringify(keyOf.get(id))}: [${lo}, ${hi}]`).toBe(true);
    }
  });
});

describe('controls for the two holdings escapes: the same padding without the trick is refused', () => {
  let t: TestApp;
  let a: SigningKey;
  let b: SigningKey;
  let c: SigningKey;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: K });
    [a, b, c] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
    await submit(t, a, 30, { year: 2023, region: 'PE-LMA' });
    await submit(t, c, 12, { year: 2023, region: 'PE-CUS' });
    await submit(t, b, 6, { year: 2023, region: 'PE-PIU' });
    await submit(t, a, 10, { year: 2024, region: 'PE-LMA' });
    await submit(t, c, 8, { year: 2024, region: 'PE-CUS' });
  });
  afterAll(async () => t?.close());

  /** B's view: in every cell published in both, what the others changed is 0 or ≥ k. */
  function othersNeverSmall(before: Manifest, after: Manifest, mine: (key: Record<string, string>) => number): void {
    for (const cell of cellsOf(after)) {
      const was = cellsOf(before).find((x) => canonicalJson(x.key) === canonicalJson(cell.key));
      if (!was || cell.count === null || was.count === null) continue;
      expect(small(cell.count - was.count - mine(cell.key)), `${JSON.stringify(cell.key)}: ${was.count} → ${cell.count}, B's own ${mine(cell.key)}`).toBe(
        false,
      );
    }
  }

  // DEFENDED: an "additions" version (B pads Lima 2023 with 5, A adds 2, no amendment): the
  // holdings rule on the change hides what would give the others' 2 away.
  it('one year, additions only: padding learns nothing', async () => {
    const req = { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] };
    const r1 = await publish(t, req);
    await submit(t, a, 2, { year: 2023, region: 'PE-LMA' });
    await submit(t, b, 5, { year: 2023, region: 'PE-LMA' });
    const r2 = await publish(t, req);
    expect(r2.manifest.data[0].since).toBe('additions');
    othersNeverSmall(r1.manifest, r2.manifest, (key) => (key.region === 'PE-LMA' || key.region === '*' ? 5 : 0));
  });

  // DEFENDED: the multi-year series when only 2023 moved (B does not touch 2024): the two sums
  // share Lima 2024 v1, so the model decomposes them and the holdings rule applies.
  it('two years, only one moved: padding learns nothing', async () => {
    const req = { series: 'acumulado', filter: { years: [2023, 2024] }, tables: [['region']] };
    const r1 = await publish(t, req);
    await submit(t, a, 2, { year: 2023, region: 'PE-LMA' });
    await submit(t, b, 5, { year: 2023, region: 'PE-LMA' });
    const r2 = await publish(t, req);
    expect(r2.manifest.data.map((d: { version: number }) => d.version)).toEqual([r1.manifest.data[0].version + 1, r1.manifest.data[1].version]);
    othersNeverSmall(r1.manifest, r2.manifest, (key) => (key.region === 'PE-LMA' || key.region === '*' ? 5 : 0));
  });
});
