// "No publication shows a count in 1..k−1", at every count on the boundary, on SQLite and
// PostgreSQL: with 0, 1, …, k−1 incidents in the filter (k copies of one incident under one dedupe
// tag, three members, count as one), a release is never refused on how many incidents it counts —
// such a refusal would answer "fewer than k" without a log entry (the red team's oracle, see
// test/adversarial/redteam-global.test.ts) — and what it shows has no count in 1..k−1: a
// suppression draft hides every small count, a dry run then answers as for any year, a DP draft is noisy.
// Shown to fail: docs/test-evidence.md (publishing the drafts' true counts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dedupeTag } from '../../crypto/index.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { providers } from '../helpers/databases.js';

const K = 4;
const SECRET = Buffer.alloc(32, 9).toString('base64');

type Cell = { key: Record<string, string>; count: number | null; suppressed: boolean };

describe.each(providers)('release threshold 1..k−1 (%s)', (provider) => {
  let t: TestApp;
  let orgs: SigningKey[];
  beforeAll(async () => {
    t = await startTestApp(provider, { minK: K });
    orgs = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
  });
  afterAll(async () => t?.close());

  const suppression = { series: 'umbral', filter: { year: 2024 }, tables: [['year', 'region']], k: K };
  const dp = { series: 'umbral-dp', method: 'dp', filter: { year: 2024 }, tables: [['year', 'region']], rho: 0.01 };
  const put = async (org: SigningKey, over: Record<string, unknown> = {}) => {
    const res = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t, { year: 2024, ...over }));
    expect(res.status).toBe(201);
  };
  const noSmallCount = (label: string, cells: Cell[]) => {
    for (const c of cells) {
      if (c.suppressed) expect(c.count, `${label}: ${JSON.stringify(c)}`).toBeNull();
      else expect(c.count === 0 || c.count! >= K, `${label}: ${JSON.stringify(c)}`).toBe(true);
    }
  };
  const answersWithoutSmallCounts = async (label: string, incidents: number) => {
    const draft = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, suppression);
    expect(draft.status, `${label}: ${JSON.stringify(draft.body)}`).toBe(201);
    // (a dry run needs a year some publication used: the draft above is one)
    const dry = await signed(t.app, 'POST', '/api/v1/releases/dry-run', t.publisher, suppression);
    expect(dry.status, `${label}: ${JSON.stringify(dry.body)}`).toBe(200);
    const cells: Cell[] = draft.body.manifest.tables.flatMap((x: { cells: Cell[] }) => x.cells);
    noSmallCount(label, cells);
    const total = cells.find((c) => c.key.year === '2024' && c.key.region === '*')!;
    if (incidents >= 1 && incidents < K) expect(total, label).toMatchObject({ count: null, suppressed: true });
    const noisy = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, dp);
    expect(noisy.status, `${label}: ${JSON.stringify(noisy.body)}`).toBe(201);
  };

  it('never refuses on the count, and shows no count in 1..k−1 at any count from 0 to k', async () => {
    await answersWithoutSmallCounts('no incident', 0);
    // k copies of one incident, sent by three members under one dedupe tag: one incident
    const tag = dedupeTag(SECRET, 'la misma víctima');
    for (let i = 0; i < K; i++) await put(orgs[i % 3]!, { dedupeTag: tag });
    await answersWithoutSmallCounts('k copies of one incident', 1);
    for (let n = 2; n < K; n++) {
      await put(orgs[n % 3]!, { region: n % 2 ? 'PE-CUS' : 'PE-LMA' });
      await answersWithoutSmallCounts(`${n} incidents`, n);
    }
    await put(orgs[0]!);
    await answersWithoutSmallCounts(`${K} incidents`, K);
  });
});
