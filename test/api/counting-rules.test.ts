// The counting rules' promises that a mutation run of services/incidents.ts and concentration.ts
// found untested (docs/test-evidence.md): what members filed (filedOf) goes by organisation and by
// tag and values; a recorded version is rebuilt with every report of its incidents; the steward's
// flags follow the counted representatives, name the key with most incidents and flag only a share
// strictly over the operator's. Each test reads what the server computes and states what it must be,
// from the reports the test filed. SQLite: nothing here depends on the store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dedupeTag } from '../../crypto/index.js';
import { countedNow } from '../../server/services/counted-now.js';
import { filedOf, holderOf, unpackIds, versionIncidents, type YearState } from '../../server/services/incidents.js';
import { dedupeRank, dedupeRankSecret } from '../../server/services/server-secrets.js';
import { enrolMember, signed, startTestApp, type SigningKey, type TestApp, submitReports as submit } from '../helpers/app.js';
import { publish } from '../helpers/releases.js';

const SECRET = Buffer.alloc(32, 5).toString('base64'); // the coalition's dedupe secret
const regions = (year: number) => ({ series: `regiones-${year}`, filter: { year }, tables: [['year', 'region']] });

describe('what members filed, and a recorded version rebuilt', () => {
  let t: TestApp;
  let a: SigningKey;
  let b: SigningKey;
  let b2: SigningKey;
  let c: SigningKey;
  const tag = dedupeTag(SECRET, 'víctima compartida');
  const tagged = new Set<string>();
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: 5 });
    [a, b, c] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
    b2 = await enrolMember(t, b.keyId); // a second key of B's organisation
    await submit(t, a, 20, { year: 2023, region: 'PE-LMA' });
    await submit(t, c, 12, { year: 2023, region: 'PE-CUS' });
    for (const id of await submit(t, a, 1, { year: 2023, region: 'PE-LMA', dedupeTag: tag })) tagged.add(id);
    await publish(t, regions(2023)); // A's tagged report now represents the incident
  });
  afterAll(async () => t?.close());

  it('filedOf: one item per tag and values, with every organisation that filed it (keys counted as their organisation)', async () => {
    for (const id of await submit(t, b, 1, { year: 2023, region: 'PE-LMA', dedupeTag: tag })) tagged.add(id);
    for (const id of await submit(t, b2, 1, { year: 2023, region: 'PE-ICA', dedupeTag: tag })) tagged.add(id);
    const { facts, current } = await countedNow(t.ctx);
    const ofB2 = [...tagged].map((id) => facts.get(id)!).find((r) => r.memberKeyId === b2.keyId)!;
    expect(holderOf(ofB2)).toBe(b.keyId);
    // one incident counts the three reports (the sticky representative is A's)...
    const incident = current.get(2023)!.incidents.find((i) => i.id === tag)!;
    expect(incident.reports).toEqual([...tagged].sort());
    expect(incident.members).toEqual([a.keyId, b.keyId].sort());
    // ...but members filed two items: Lima (A and B's organisation) and Ica (B's organisation alone)
    const items = filedOf(current.get(2023)!, facts)
      .filter((i) => tagged.has(i.id))
      .map((i) => [i.key.region, i.members])
      .sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    expect(items).toEqual([
      ['PE-ICA', [b.keyId]],
      ['PE-LMA', [a.keyId, b.keyId].sort()],
    ]);
  });

  it('a recorded version counts every report of its incidents, whatever happened to the reports since', async () => {
    const rel = await publish(t, regions(2023));
    const v = rel.manifest.data[0].version as number;
    const atRecord = (await countedNow(t.ctx)).current.get(2023)!;
    const rebuilt = async (): Promise<YearState> => {
      const { facts, versions } = await countedNow(t.ctx);
      const row = versions.find((x) => x.year === 2023 && x.version === v)!;
      return versionIncidents(facts, unpackIds(row.reports), unpackIds(row.representatives));
    };
    expect(await rebuilt()).toEqual(atRecord);
    expect((await rebuilt()).incidents.find((i) => i.id === tag)!.reports).toHaveLength(3);
    // B's organisation is quarantined: the current data loses its reports, the recorded version not
    expect((await signed(t.app, 'POST', `/api/v1/steward/members/${b.keyId}/quarantine`, t.steward)).status).toBe(200);
    expect((await signed(t.app, 'POST', `/api/v1/steward/members/${b2.keyId}/quarantine`, t.steward)).status).toBe(200);
    const now = (await countedNow(t.ctx)).current.get(2023)!;
    expect(now.incidents.find((i) => i.id === tag)!.members).toEqual([a.keyId]);
    const again = await rebuilt();
    expect(again).toEqual(atRecord);
    expect(again.incidents.find((i) => i.id === tag)!.members).toEqual([a.keyId, b.keyId].sort());
  });
});

describe("the steward's concentration flags", () => {
  let t: TestApp;
  let a: SigningKey;
  let c: SigningKey;
  type Flag = { year: number; region: string; incidentType: string; incidents: number; memberKeyId: string; keyIds: string[]; memberIncidents: number };
  const flagsIn = async (year: number, region: string): Promise<Flag[]> => {
    const res = await signed(t.app, 'GET', '/api/v1/steward/flags', t.steward);
    expect(res.status).toBe(200);
    expect(res.body.share).toBe(0.75);
    return res.body.items.filter((f: Flag) => f.year === year && f.region === region);
  };
  const flag = (year: number, key: SigningKey, incidents: number, memberIncidents: number, keyIds = [key.keyId]): Flag => ({
    year,
    region: 'PE-TUM',
    incidentType: 'homicide',
    incidents,
    memberKeyId: key.keyId,
    keyIds,
    memberIncidents,
  });
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: 5 });
    [a, c] = [await enrolMember(t), await enrolMember(t)];
  });
  afterAll(async () => t?.close());

  it('flags a share strictly over 0.75: three of four is not flagged, four of five is', async () => {
    const b = await enrolMember(t);
    await submit(t, a, 1, { year: 2019, region: 'PE-TUM' });
    await submit(t, b, 3, { year: 2019, region: 'PE-TUM' });
    expect(await flagsIn(2019, 'PE-TUM')).toEqual([]);
    await submit(t, b, 1, { year: 2019, region: 'PE-TUM' });
    expect(await flagsIn(2019, 'PE-TUM')).toEqual([flag(2019, b, 5, 4)]);
  });

  it('names the key in most of the cell’s incidents, and quarantining that key clears the flag', async () => {
    const decoy = await enrolMember(t); // the organisation's first key: one report
    const padder = await enrolMember(t, decoy.keyId); // its second key pads
    await submit(t, a, 1, { year: 2018, region: 'PE-TUM' });
    await submit(t, decoy, 1, { year: 2018, region: 'PE-TUM' });
    await submit(t, padder, 9, { year: 2018, region: 'PE-TUM' });
    expect(await flagsIn(2018, 'PE-TUM')).toEqual([flag(2018, padder, 11, 10, [decoy.keyId, padder.keyId].sort())]);
    expect((await signed(t.app, 'POST', `/api/v1/steward/members/${padder.keyId}/quarantine`, t.steward)).status).toBe(200);
    expect(await flagsIn(2018, 'PE-TUM')).toEqual([]);
  });

  it('follows the counted representative: a colluder who would win the draw for the tag does not move the incident out of the flagged cell', async () => {
    const b = await enrolMember(t);
    const x = await enrolMember(t);
    const secret = await dedupeRankSecret(t.ctx);
    let tag = '';
    for (let i = 0; !tag; i++) {
      const candidate = dedupeTag(SECRET, `víctima ${i}`);
      if (dedupeRank(secret, candidate, x.keyId) < dedupeRank(secret, candidate, b.keyId)) tag = candidate;
    }
    await submit(t, c, 20, { year: 2017, region: 'PE-LMA' });
    await submit(t, a, 1, { year: 2017, region: 'PE-TUM' });
    await submit(t, b, 3, { year: 2017, region: 'PE-TUM' });
    await submit(t, b, 1, { year: 2017, region: 'PE-TUM', dedupeTag: tag });
    expect(await flagsIn(2017, 'PE-TUM')).toEqual([flag(2017, b, 5, 4)]);
    await publish(t, regions(2017)); // B's tagged report represents the incident from now on
    await submit(t, x, 1, { year: 2017, region: 'PE-LMA', dedupeTag: tag });
    // by the draw alone X's report would count the incident in Lima, leaving B at 3 of 4 in Tumbes
    expect(await flagsIn(2017, 'PE-TUM')).toEqual([flag(2017, b, 5, 4)]);
  });
});
