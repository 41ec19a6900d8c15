// Two attacks of a hostile member (B), over the API on SQLite and PostgreSQL, each in the form
// where only the rule named in SECURITY.md stops it (no earlier release, no change between data
// versions that would hide the cell anyway):
//   - padding a cell BEFORE its first release: A reported 1 homicide in Tumbes; B adds 4 invented
//     ones, so the cell holds 5 = k. Only the holdings rule (5 − B's own 4 = 1 is in 1..k−1) keeps
//     it hidden; published, it would tell B that the others reported exactly 1;
//   - choosing which copy of an incident counts by grinding report ids: under twelve tags, A makes
//     one report and B makes five whose ids are the smallest UUIDs there are. The counted report of
//     each tag must be the member drawn by the server's secret rank, whatever B's ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, dedupeTag } from '../../crypto/index.js';
import { dedupeRank, dedupeRankSecret } from '../../server/services/server-secrets.js';
import { unpackIds } from '../../server/services/incidents.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { providers } from '../helpers/databases.js';
import { publish } from '../helpers/releases.js';

const SECRET = Buffer.alloc(32, 7).toString('base64');
const K = 5;
type Cell = { key: Record<string, string>; count: number | null; suppressed: boolean };
const cellsOf = (m: { tables: Array<{ cells: Cell[] }> }): Cell[] => m.tables.flatMap((t) => t.cells);
const find = (m: { tables: Array<{ cells: Cell[] }> }, key: Record<string, string>) => cellsOf(m).find((c) => canonicalJson(c.key) === canonicalJson(key))!;
/** The n-th smallest UUIDv4 (version nibble 4, variant 8): ids a grinding member would pick. */
const smallId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

describe.each(providers)('a hostile member: padding before the first release, grinding report ids (%s)', (provider) => {
  let t: TestApp;
  let a: SigningKey;
  let b: SigningKey;
  let c: SigningKey;
  const own = new Map<string, Array<{ year: number; region: string }>>();

  async function submit(key: SigningKey, over: Record<string, unknown>, id: string = newId()) {
    const body = sampleReport(t, over);
    const res = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, key, body);
    expect(res.status).toBe(201);
    own.set(key.keyId, [...(own.get(key.keyId) ?? []), { year: Number(body.year), region: String(body.region) }]);
    return id;
  }

  beforeAll(async () => {
    t = await startTestApp(provider, { minK: K });
    [a, b, c] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
  });
  afterAll(async () => t?.close());

  it('padding a cell before its first release: the cell stays hidden, and no published count minus B’s own share is in 1..k−1', async () => {
    for (let i = 0; i < 30; i++) await submit(a, { year: 2023, region: 'PE-LMA', incidentType: 'homicide' });
    for (let i = 0; i < 12; i++) await submit(c, { year: 2023, region: 'PE-CUS', incidentType: 'homicide' });
    for (let i = 0; i < 9; i++) await submit(c, { year: 2023, region: 'PE-ARE', incidentType: 'homicide' });
    await submit(a, { year: 2023, region: 'PE-TUM', incidentType: 'homicide' });
    for (let i = 0; i < 4; i++) await submit(b, { year: 2023, region: 'PE-TUM', incidentType: 'homicide' });
    const release = await publish(t, { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] });
    expect(find(release.manifest, { year: '2023', region: 'PE-TUM' }).suppressed).toBe(true);
    // B's side: every published count minus what B itself reported there is 0 or at least k.
    const mine = own.get(b.keyId)!;
    for (const cell of cellsOf(release.manifest)) {
      if (cell.count === null) continue;
      const ownShare = mine.filter((r) => r.year === 2023 && (cell.key.region === '*' || cell.key.region === r.region)).length;
      const others = cell.count - ownShare;
      expect(others === 0 || others >= K, `${JSON.stringify(cell.key)}: ${cell.count} − B's ${ownShare}`).toBe(true);
    }
  });

  it('grinding report ids wins nothing: each tag counts the report of the member the secret rank draws', async () => {
    const secret = await dedupeRankSecret(t.ctx);
    // six tags the secret draw gives to A and six it gives to B (the test knows the secret; B does not)
    const drawn = { A: [] as string[], B: [] as string[] };
    for (let i = 0; drawn.A.length < 6 || drawn.B.length < 6; i++) {
      const tag = dedupeTag(SECRET, `caso ${provider} ${i}`);
      const w = dedupeRank(secret, tag, a.keyId) < dedupeRank(secret, tag, b.keyId) ? 'A' : 'B';
      if (drawn[w].length < 6) drawn[w].push(tag);
    }
    const tags = [...drawn.A, ...drawn.B];
    let n = 0;
    for (const tag of tags) {
      await submit(a, { year: 2021, region: 'PE-LMA', incidentType: 'homicide', dedupeTag: tag });
      for (let j = 0; j < 5; j++) await submit(b, { year: 2021, region: 'PE-CUS', incidentType: 'homicide', dedupeTag: tag }, smallId(++n));
    }
    for (let i = 0; i < 20; i++) await submit(c, { year: 2021, region: 'PE-ARE', incidentType: 'homicide' });
    await publish(t, { series: 'y2021', filter: { year: 2021 }, tables: [['year', 'region']] });
    const version = await t.db.prisma.dataVersion.findFirst({ where: { year: 2021 }, orderBy: { version: 'desc' } });
    const reps = new Set(unpackIds(version!.representatives));
    const got: string[] = [];
    const want: string[] = [];
    for (const tag of tags) {
      const tagged = await t.db.prisma.report.findMany({ where: { dedupeTag: tag }, select: { id: true, memberKeyId: true } });
      const counted = tagged.filter((r) => reps.has(r.id));
      expect(counted).toHaveLength(1);
      got.push(counted[0]!.memberKeyId === a.keyId ? 'A' : 'B');
      want.push(dedupeRank(secret, tag, a.keyId) < dedupeRank(secret, tag, b.keyId) ? 'A' : 'B');
    }
    expect(got).toEqual(want);
    expect(want).toEqual([...Array(6).fill('A'), ...Array(6).fill('B')]);
  });
});
