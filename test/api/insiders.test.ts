// A hostile member organisation, over the API, on SQLite and PostgreSQL. The attacker is member B:
// it holds its own key and the coalition's dedupe secret, knows every report it submitted, and
// reads every release. It tries (issue 15):
//   - padding: invented reports in a hidden cell, to learn from the next release how many the
//     others reported there;
//   - taking over another organisation's incident: reusing its dedupe tag with other values, with
//     report ids ground so that the old rule (smallest report hash) would pick B's report;
//   - keeping its reports counted after the steward revokes or quarantines it.
// Each is refused or protected; the steward sees the conflict and decides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, dedupeTag, reportHash as hashReport, verifyInclusion } from '../../crypto/index.js';
import { dedupeRank, dedupeRankSecret } from '../../server/services/server-secrets.js';
import { unpackIds } from '../../server/services/incidents.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { providers } from '../helpers/databases.js';
import { publish } from '../helpers/releases.js';

const SECRET = Buffer.alloc(32, 9).toString('base64');
type Cell = { key: Record<string, string>; count: number | null; suppressed: boolean };
const cellsOf = (m: { tables: Array<{ cells: Cell[] }> }): Cell[] => m.tables.flatMap((t) => t.cells);
const find = (m: { tables: Array<{ cells: Cell[] }> }, key: Record<string, string>) => cellsOf(m).find((c) => canonicalJson(c.key) === canonicalJson(key))!;

describe.each(providers)('a hostile member organisation (%s)', (provider) => {
  let t: TestApp;
  let a: SigningKey;
  let b: SigningKey;
  let c: SigningKey;
  /** What each member submitted and is still counted: member → list of (region, incidentType, year). */
  const submitted = new Map<string, Array<{ region: string; incidentType: string; year: number; perpetratorType: string }>>();

  async function submit(key: SigningKey, over: Record<string, unknown>, id = newId()) {
    const body = sampleReport(t, over);
    const res = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, key, body);
    expect(res.status).toBe(201);
    const l = submitted.get(key.keyId) ?? [];
    l.push({ region: String(body.region), incidentType: String(body.incidentType), year: Number(body.year), perpetratorType: String(body.perpetratorType) });
    submitted.set(key.keyId, l);
    return { id, reportHash: res.body.reportHash as string, body };
  }

  beforeAll(async () => {
    t = await startTestApp(provider, { minK: 5 });
    [a, b, c] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
    for (let i = 0; i < 30; i++) await submit(a, { region: 'PE-LMA', incidentType: 'homicide', perpetratorType: 'police' });
    for (let i = 0; i < 12; i++) await submit(c, { region: 'PE-CUS', incidentType: 'homicide' });
    for (let i = 0; i < 9; i++) await submit(c, { region: 'PE-ARE', incidentType: 'homicide' });
    await submit(a, { region: 'PE-TUM', incidentType: 'homicide' }); // Tumbes: 1, hidden
  });
  afterAll(async () => t?.close());

  const byRegion = { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] };

  it('padding: four invented reports next to one real one leave the cell hidden, and no published count tells B what the others did', async () => {
    const first = await publish(t, byRegion);
    expect(find(first.manifest, { year: '2023', region: 'PE-TUM' }).suppressed).toBe(true);
    for (let i = 0; i < 4; i++) await submit(b, { region: 'PE-TUM', incidentType: 'homicide' });
    const second = await publish(t, byRegion);
    expect(find(second.manifest, { year: '2023', region: 'PE-TUM' }).suppressed).toBe(true);
    // the steward is told: B holds 4 of Tumbes' 5 homicides (over the 0.75 share); nobody else is flagged
    const flags = await signed(t.app, 'GET', '/api/v1/steward/flags', t.steward);
    expect(flags.status).toBe(200);
    expect(flags.body.items.filter((f: { region: string }) => f.region === 'PE-TUM')).toEqual([
      { year: 2023, region: 'PE-TUM', incidentType: 'homicide', incidents: 5, memberKeyId: b.keyId, keyIds: [b.keyId], memberIncidents: 4 },
    ]);
    const byMember = await signed(t.app, 'GET', '/api/v1/steward/flags', b);
    expect([byMember.status, byMember.body.error.code]).toEqual([403, 'forbidden_role']);
    // From B's side: for every published count, what the others contributed (count − B's own) is
    // never a small positive number.
    for (const rel of [first, second]) {
      for (const cell of cellsOf(rel.manifest)) {
        if (cell.suppressed || cell.count === null) continue;
        for (const [member, own] of submitted) {
          const mine = own.filter((r) => r.year === 2023 && (cell.key.region === '*' || cell.key.region === r.region)).length;
          const others = cell.count - Math.min(mine, cell.count);
          expect(others === 0 || others >= 5, `${member} on ${JSON.stringify(cell.key)}: ${cell.count} − ${mine}`).toBe(true);
        }
      }
    }
  });

  it('taking over an incident: report ids ground to win the old rule change nothing; the steward sees the conflict and decides', async () => {
    // A reports a police killing in 2023 under a tag; a release counts it.
    const tag = dedupeTag(SECRET, 'víctima del caso 17');
    const own = await submit(a, { region: 'PE-LMA', incidentType: 'homicide', perpetratorType: 'police', dedupeTag: tag });
    const base = { series: 'policia', filter: { year: 2023 }, tables: [['year', 'perpetratorType']] };
    const before = await publish(t, base);
    const police = find(before.manifest, { year: '2023', perpetratorType: 'police' }).count;
    // B grinds report ids until its report's hash is smaller than A's (the old representative rule),
    // then reuses A's tag with year 2019 and perpetrator "unknown" — twenty times.
    const fields = { year: 2019, region: 'PE-LMA', incidentType: 'homicide', perpetratorType: 'unknown', dedupeTag: tag };
    let ground = 0;
    const sealed = sampleReport(t, fields);
    for (let tries = 0; ground < 20 && tries < 20_000; tries++) {
      const id = newId();
      if (hashReport(id, sealed) >= own.reportHash) continue;
      const res = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, b, sealed);
      expect(res.status).toBe(201);
      ground++;
    }
    expect(ground).toBe(20);
    const after = await publish(t, base);
    expect(find(after.manifest, { year: '2023', perpetratorType: 'police' }).count).toBe(police);
    // A's report is still counted in 2023: its inclusion proof verifies against the new root.
    const proof = await signed(t.app, 'GET', `/api/v1/releases/${after.manifest.id}/proof/${own.id}`, a);
    expect(proof.status).toBe(200);
    expect(verifyInclusion(proof.body.proof, after.manifest.merkle.root)).toBe(true);
    // The steward sees one conflict on that tag (year and perpetrator differ), naming no member.
    const conflicts = await signed(t.app, 'GET', '/api/v1/steward/conflicts', t.steward);
    const conflict = conflicts.body.items.find((x: { tag: string }) => x.tag === tag);
    expect(conflict.differ).toEqual(expect.arrayContaining(['year', 'perpetratorType']));
    expect(JSON.stringify(conflicts.body)).not.toContain(b.keyId);
    // The steward decides A's values are right: nothing changes; had it chosen B's, the incident moves.
    const resolved = await signed(t.app, 'POST', `/api/v1/steward/conflicts/${tag}/resolve`, t.steward, { reportId: own.id });
    expect(resolved.status).toBe(200);
    const again = await signed(t.app, 'POST', '/api/v1/releases/dry-run', t.publisher, base);
    expect(again.status).toBe(200);
  });

  it('before any release counts an incident, its reports are ranked one draw per member under a secret: the winner does not depend on how many reports a member makes', async () => {
    const tag = dedupeTag(SECRET, 'víctima nueva');
    await submit(a, { year: 2022, region: 'PE-LMA', incidentType: 'homicide', dedupeTag: tag });
    for (let i = 0; i < 8; i++) await submit(b, { year: 2022, region: 'PE-CUS', incidentType: 'homicide', dedupeTag: tag });
    for (let i = 0; i < 40; i++) await submit(c, { year: 2022, region: 'PE-ARE', incidentType: 'homicide' });
    const secret = await dedupeRankSecret(t.ctx);
    const winner = dedupeRank(secret, tag, a.keyId) < dedupeRank(secret, tag, b.keyId) ? a.keyId : b.keyId;
    await publish(t, { series: 'y2022', filter: { year: 2022 }, tables: [['year', 'region']] });
    // the recorded data version names the counted report of every incident: for this tag, one of
    // the winning member's reports, however many reports the other made
    const version = await t.db.prisma.dataVersion.findFirst({ where: { year: 2022 }, orderBy: { version: 'desc' } });
    const reps = new Set(unpackIds(version!.representatives));
    const tagged = await t.db.prisma.report.findMany({ where: { dedupeTag: tag }, select: { id: true, memberKeyId: true } });
    const counted = tagged.filter((r) => reps.has(r.id));
    expect(counted).toHaveLength(1);
    expect(counted[0]!.memberKeyId).toBe(winner);
  });

  it("the steward's choice counts: resolving a conflict to the report the draw did not pick moves the incident, as a new version that says 'changes'", async () => {
    // A and B report one victim under one tag in 2021, in Lima and in Ica; C's reports fill the year.
    const tag = dedupeTag(SECRET, 'víctima del caso 21');
    const req = { series: 'y2021', filter: { year: 2021 }, tables: [['year', 'region']] };
    for (let i = 0; i < 20; i++) await submit(c, { year: 2021, region: 'PE-CUS', incidentType: 'homicide' });
    const ofA = await submit(a, { year: 2021, region: 'PE-LMA', incidentType: 'homicide', dedupeTag: tag });
    const ofB = await submit(b, { year: 2021, region: 'PE-ICA', incidentType: 'homicide', dedupeTag: tag });
    const first = await publish(t, req);
    expect(first.manifest.data[0]).toMatchObject({ year: 2021, version: 1 });
    const representatives = async (version: number) =>
      new Set(unpackIds((await t.db.prisma.dataVersion.findUnique({ where: { year_version: { year: 2021, version } } }))!.representatives));
    const drawn = await representatives(1);
    expect([drawn.has(ofA.id), drawn.has(ofB.id)].filter(Boolean)).toHaveLength(1);
    const loser = drawn.has(ofA.id) ? ofB : ofA;
    // the steward chooses the other report: it now represents the incident, over the draw and over
    // the report the last version counted
    const resolved = await signed(t.app, 'POST', `/api/v1/steward/conflicts/${tag}/resolve`, t.steward, { reportId: loser.id });
    expect(resolved.status).toBe(200);
    const second = await publish(t, req);
    expect(second.manifest.data[0]).toMatchObject({ year: 2021, version: 2, since: 'changes' });
    const now = await representatives(2);
    expect(now.has(loser.id)).toBe(true);
    expect([...now].filter((id) => id === ofA.id || id === ofB.id)).toEqual([loser.id]);
  });

  it("revocation and quarantine: the member's reports stop counting from the next release, and undoing quarantine brings them back", async () => {
    const base = { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] };
    const dry = async () => (await signed(t.app, 'POST', '/api/v1/releases/dry-run', t.publisher, base)).body;
    // B's padding in Tumbes: quarantine B, the incidents it alone reported leave the count
    const q = await signed(t.app, 'POST', `/api/v1/steward/members/${b.keyId}/quarantine`, t.steward);
    expect(q.status).toBe(200);
    const quarantined = await publish(t, base);
    expect(quarantined.manifest.data[0].since).toBe('changes');
    // Lima's 31 A-reported homicides are untouched; Tumbes lost B's four (still hidden: 1 left)
    expect(find(quarantined.manifest, { year: '2023', region: 'PE-TUM' }).suppressed).toBe(true);
    const undo = await signed(t.app, 'DELETE', `/api/v1/steward/members/${b.keyId}/quarantine`, t.steward);
    expect(undo.status).toBe(200);
    // B's four reports count again: a draft counts a new version of 2023 (a dry run would still
    // show the quarantined release's data: it never looks at data no publication used)
    const digestOf = async (version: number) => (await t.db.prisma.dataVersion.findUnique({ where: { year_version: { year: 2023, version } } }))!.digest;
    const undone = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, base);
    expect(undone.status).toBe(201);
    expect(undone.body.manifest.data[0].version).toBeGreaterThan(quarantined.manifest.data[0].version);
    expect(await digestOf(undone.body.manifest.data[0].version)).not.toBe(await digestOf(quarantined.manifest.data[0].version));
    expect((await dry()).data[0]).toMatchObject({ version: undone.body.manifest.data[0].version, heldBack: false });
    // revocation excludes too: the next draft counts exactly what the quarantined release counted
    const rv = await signed(t.app, 'DELETE', `/api/v1/members/${b.keyId}`, t.steward);
    expect(rv.status).toBe(200);
    const revoked = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, base);
    expect(revoked.status).toBe(201);
    expect(await digestOf(revoked.body.manifest.data[0].version)).toBe(await digestOf(quarantined.manifest.data[0].version));
  });
});
