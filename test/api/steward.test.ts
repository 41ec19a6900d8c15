// API tests of the steward's quarantine, dedupe conflicts and resolutions, on SQLite and
// PostgreSQL. Written from two sides: the steward's (what each route does, idempotence, what a
// refusal leaves behind: nothing) and a hostile member's or publisher's (they hold a valid key of
// their own and call the steward's routes: refused, nothing written; they read every answer and
// log line: no member key id in a conflict, never the server's ranking secret).
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { createApp } from '../../server/app.js';
import { openDatabase } from '../../server/db/client.js';
import { createLogger } from '../../server/http/logger.js';
import type { ServiceContext } from '../../server/services/context.js';
import { COUNTABLE_FIELDS, dedupeChoices } from '../../server/services/conflicts.js';
import { excludedMembers } from '../../server/services/quarantine.js';
import { organisationsOf } from '../../server/services/organisations.js';
import { readReportFacts } from '../../server/services/report-facts.js';
import { currentIncidents } from '../../server/services/incidents.js';
import { countedMemberSql } from '../../server/db/prisma-data.js';
import { dedupeRank, dedupeRankSecret } from '../../server/services/server-secrets.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { providers, tableContents } from '../helpers/databases.js';

const tag = () => randomBytes(32).toString('hex');
/** An answer as a client sees it: status line's headers and body. */
const answerText = (res: { headers: Record<string, unknown>; text: string }) => `${JSON.stringify(res.headers)}\n${res.text}`;

describe.each(providers)('steward API on %s', (provider) => {
  let t: TestApp;
  let a: SigningKey;
  let b: SigningKey;
  let c: SigningKey;
  /** Every answer's text, to look for what must never be sent. */
  const answers: string[] = [];
  /** Everything written to the process's console or standard streams meanwhile (the app logs to t.logs). */
  const printed: string[] = [];

  beforeAll(async () => {
    for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        printed.push(args.map(String).join(' '));
      });
    }
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
        printed.push(String(chunk));
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write);
    }
    t = await startTestApp(provider);
    [a, b, c] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
  });

  async function call(method: 'GET' | 'POST' | 'DELETE', url: string, key: SigningKey, body?: unknown) {
    const res = await signed(t.app, method, url, key, body);
    answers.push(answerText(res));
    return res;
  }

  /** Runs `fn` and asserts that no table changed. */
  async function writesNothing(fn: () => Promise<unknown>) {
    const before = await tableContents(t.testDb);
    await fn();
    expect(await tableContents(t.testDb)).toEqual(before);
  }

  async function submit(key: SigningKey, over: Record<string, unknown>, id = newId()): Promise<string> {
    const res = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, key, sampleReport(t, over));
    answers.push(answerText(res));
    expect(res.status).toBe(201);
    return id;
  }

  async function allConflicts(limit = 100) {
    const items: any[] = [];
    let cursor: string | null = null;
    do {
      const res = await call('GET', `/api/v1/steward/conflicts?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, t.steward);
      expect(res.status).toBe(200);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return items;
  }
  const conflictTags = async () => (await allConflicts()).map((x) => x.tag);

  const quarantined = async (keyId: string) => (await t.db.prisma.member.findUnique({ where: { keyId } }))!.quarantined;

  describe('quarantine', () => {
    it('quarantines and lifts it, idempotently; the key still signs meanwhile', async () => {
      const m = await enrolMember(t);
      const on = await call('POST', `/api/v1/steward/members/${m.keyId}/quarantine`, t.steward);
      expect(on.status).toBe(200);
      expect(on.body).toEqual({ keyId: m.keyId, quarantined: true });
      expect(await quarantined(m.keyId)).toBe(true);
      expect(await excludedMembers(t.ctx)).toContain(m.keyId);

      // again: same answer, nothing else changes (only the nonce of the new request is recorded)
      const before = await t.db.prisma.member.findMany({ orderBy: { keyId: 'asc' } });
      const again = await call('POST', `/api/v1/steward/members/${m.keyId}/quarantine`, t.steward, {});
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ keyId: m.keyId, quarantined: true });
      expect(await t.db.prisma.member.findMany({ orderBy: { keyId: 'asc' } })).toEqual(before);

      // the quarantined member may still sign: submit and read its own report
      const id = await submit(m, { dedupeTag: tag() });
      expect((await signed(t.app, 'GET', `/api/v1/reports/${id}`, m)).status).toBe(200);

      const off = await call('DELETE', `/api/v1/steward/members/${m.keyId}/quarantine`, t.steward);
      expect(off.status).toBe(200);
      expect(off.body).toEqual({ keyId: m.keyId, quarantined: false });
      expect(await quarantined(m.keyId)).toBe(false);
      expect(await excludedMembers(t.ctx)).not.toContain(m.keyId);
      const offAgain = await call('DELETE', `/api/v1/steward/members/${m.keyId}/quarantine`, t.steward);
      expect(offAgain.status).toBe(200);
      expect(offAgain.body).toEqual({ keyId: m.keyId, quarantined: false });
      expect(await quarantined(m.keyId)).toBe(false);
    });

    it('excludedMembers holds revoked and quarantined members, and only them; countedMemberSql agrees', async () => {
      const revoked = await enrolMember(t);
      const q = await enrolMember(t);
      const both = await enrolMember(t);
      const fine = await enrolMember(t);
      for (const m of [revoked, q, both, fine]) await submit(m, {});
      expect((await call('DELETE', `/api/v1/members/${revoked.keyId}`, t.steward)).status).toBe(200);
      expect((await call('DELETE', `/api/v1/members/${both.keyId}`, t.steward)).status).toBe(200);
      expect((await call('POST', `/api/v1/steward/members/${q.keyId}/quarantine`, t.steward)).status).toBe(200);
      expect((await call('POST', `/api/v1/steward/members/${both.keyId}/quarantine`, t.steward)).status).toBe(200);
      const ex = await excludedMembers(t.ctx);
      expect(ex).toContain(revoked.keyId);
      expect(ex).toContain(q.keyId);
      expect(ex).toContain(both.keyId);
      expect(ex).not.toContain(fine.keyId);
      for (const m of [a, b, c]) expect(ex).not.toContain(m.keyId);
      // inside a transaction, as counting would call it
      expect(await t.db.transaction((tx) => excludedMembers(t.ctx, tx))).toEqual(ex);
      // the SQL form counts exactly the reports of members not in the set
      const rows = await t.db.prisma.$queryRawUnsafe<Array<{ k: string }>>(`SELECT DISTINCT "memberKeyId" AS k FROM "Report" WHERE ${countedMemberSql()}`);
      const counted = new Set(rows.map((r) => r.k));
      for (const m of [revoked, q, both]) expect(counted).not.toContain(m.keyId);
      expect(counted).toContain(fine.keyId);
      // lifting the quarantine of a revoked member leaves it excluded
      expect((await call('DELETE', `/api/v1/steward/members/${both.keyId}/quarantine`, t.steward)).status).toBe(200);
      expect(await excludedMembers(t.ctx)).toContain(both.keyId);
      expect(() => countedMemberSql('r; DROP TABLE "Member"')).toThrow();
    });

    it('an unknown key id is 404 and a malformed one 400; neither writes anything', async () => {
      await writesNothing(async () => {
        for (const method of ['POST', 'DELETE'] as const) {
          const unknown = await call(method, '/api/v1/steward/members/m-AAAAAAAAAAAAAAAA/quarantine', t.steward);
          expect(unknown.status).toBe(404);
          expect(unknown.body.error.code).toBe('member_not_found');
          const bad = await call(method, '/api/v1/steward/members/not-a-key/quarantine', t.steward);
          expect(bad.status).toBe(400);
          expect(bad.body.error.code).toBe('invalid_path');
        }
        const field = await call('POST', `/api/v1/steward/members/${a.keyId}/quarantine`, t.steward, { undo: true });
        expect(field.status).toBe(400);
        expect(field.body.error.code).toBe('invalid_body');
        const withBody = await call('DELETE', `/api/v1/steward/members/${a.keyId}/quarantine`, t.steward, {});
        expect(withBody.status).toBe(400);
      });
      expect(await quarantined(a.keyId)).toBe(false);
    });

    it('a member (even the one concerned) or a publisher cannot call any steward route; nothing is written', async () => {
      const t1 = tag();
      const mine = await submit(a, { dedupeTag: t1 });
      await submit(b, { dedupeTag: t1, year: 2019 });
      await writesNothing(async () => {
        for (const key of [a, b, t.publisher]) {
          for (const [method, url, body] of [
            ['POST', `/api/v1/steward/members/${b.keyId}/quarantine`, undefined],
            ['POST', `/api/v1/steward/members/${a.keyId}/quarantine`, {}],
            ['DELETE', `/api/v1/steward/members/${b.keyId}/quarantine`, undefined],
            ['GET', '/api/v1/steward/conflicts', undefined],
            ['POST', `/api/v1/steward/conflicts/${t1}/resolve`, { reportId: mine }],
          ] as const) {
            const res = await call(method, url, key, body);
            expect(res.status, `${method} ${url}`).toBe(403);
            expect(res.body.error.code).toBe('forbidden_role');
          }
        }
      });
      expect(await quarantined(b.keyId)).toBe(false);
      expect(await t.db.prisma.dedupeChoice.count({ where: { tag: t1 } })).toBe(0);
    });
  });

  describe('organisations of several keys', () => {
    const holders = async (keys: SigningKey[]) => {
      const of = await organisationsOf(t.ctx);
      return keys.map((k) => of(k.keyId));
    };
    const link = (key: SigningKey, sameAs: SigningKey, by: SigningKey = t.steward) =>
      call('POST', `/api/v1/steward/members/${key.keyId}/organisation`, by, { sameAs: sameAs.keyId });

    it("links a key to another key's organisation, merging whole organisations; idempotent", async () => {
      const [m1, m2, m3, m4] = [await enrolMember(t), await enrolMember(t), await enrolMember(t), await enrolMember(t)];
      expect(new Set(await holders([m1, m2, m3, m4])).size).toBe(4); // every key its own organisation
      const res = await link(m2, m1);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ keyId: m2.keyId, sameOrganisationAs: m1.keyId });
      expect((await link(m4, m3)).status).toBe(200);
      const [h1, h2, h3, h4] = await holders([m1, m2, m3, m4]);
      expect(h1).toBe(h2);
      expect(h3).toBe(h4);
      expect(h1).not.toBe(h3);
      // m3's organisation (m3 and m4) joins m2's (m1 and m2): all four are one
      expect((await link(m3, m2)).status).toBe(200);
      expect(new Set(await holders([m1, m2, m3, m4])).size).toBe(1);
      expect((await holders([a, b, c])).sort()).toEqual([a.keyId, b.keyId, c.keyId].sort());
      // again, either way round: nothing changes (a link never splits an organisation)
      const before = await t.db.prisma.member.findMany({ orderBy: { keyId: 'asc' } });
      for (const [x, y] of [
        [m2, m1],
        [m1, m4],
        [m4, m4],
      ] as const)
        expect((await link(x, y)).status).toBe(200);
      expect(await t.db.prisma.member.findMany({ orderBy: { keyId: 'asc' } })).toEqual(before);
    });

    it('an unknown key on either side is 404, a malformed one or body 400, anyone but the steward 403; none writes anything', async () => {
      const m = await enrolMember(t);
      await writesNothing(async () => {
        const ghost = { keyId: 'm-AAAAAAAAAAAAAAAA' } as SigningKey;
        for (const [x, y] of [
          [ghost, m],
          [m, ghost],
        ] as const) {
          const res = await link(x, y);
          expect(res.status).toBe(404);
          expect(res.body.error.code).toBe('member_not_found');
        }
        const badPath = await call('POST', '/api/v1/steward/members/not-a-key/organisation', t.steward, { sameAs: m.keyId });
        expect(badPath.body.error.code).toBe('invalid_path');
        for (const body of [{}, { sameAs: 'not-a-key' }, { sameAs: a.keyId, extra: 1 }]) {
          const res = await call('POST', `/api/v1/steward/members/${m.keyId}/organisation`, t.steward, body);
          expect(res.status, JSON.stringify(body)).toBe(400);
          expect(res.body.error.code).toBe('invalid_body');
        }
        expect((await call('POST', `/api/v1/steward/members/${m.keyId}/organisation`, t.steward)).status).toBe(415); // no JSON body at all
        for (const key of [m, a, t.publisher]) {
          const res = await link(m, a, key);
          expect(res.status).toBe(403);
          expect(res.body.error.code).toBe('forbidden_role');
        }
      });
      expect(await holders([m])).toEqual([m.keyId]);
    });

    it('an invite made for an enrolled organisation enrols one more key of it; for an unknown key it is 404 and no invite is stored', async () => {
      const first = await enrolMember(t);
      const second = await enrolMember(t, first.keyId);
      expect(await holders([second])).toEqual(await holders([first]));
      expect((await t.db.prisma.member.findUnique({ where: { keyId: second.keyId } }))!.organisation).toBe(first.keyId);
      await writesNothing(async () => {
        const res = await call('POST', '/api/v1/invites', t.steward, { sameOrganisationAs: 'm-AAAAAAAAAAAAAAAA' });
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('member_not_found');
        const bad = await call('POST', '/api/v1/invites', t.steward, { sameOrganisationAs: 'someone' });
        expect(bad.status).toBe(400);
      });
    });

    it("counting takes an organisation's keys as one member: an incident two of its keys reported has one member", async () => {
      const [k1, k2, other] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
      expect((await link(k2, k1)).status).toBe(200);
      const shared = tag();
      const ids = [await submit(k1, { dedupeTag: shared }), await submit(k2, { dedupeTag: shared }), await submit(other, { dedupeTag: shared })];
      const facts = await readReportFacts(t.ctx);
      const byYear = currentIncidents(facts.values(), { excluded: new Set(), choices: new Map(), sticky: new Set(), secret: randomBytes(32) });
      const inc = byYear.get(2023)!.incidents.find((i) => i.id === shared)!;
      expect(inc.reports.sort()).toEqual([...ids].sort());
      expect(inc.members).toEqual([(await holders([k1]))[0]!, other.keyId].sort());
    });
  });

  describe('conflicts', () => {
    it('lists a tag exactly when its active, counted reports disagree on a countable field', async () => {
      const agree = tag();
      await submit(a, { dedupeTag: agree });
      await submit(b, { dedupeTag: agree });
      await submit(c, { dedupeTag: agree });

      const lone = tag();
      await submit(a, { dedupeTag: lone, year: 2020 });

      const untaggedA = await submit(a, { year: 2018 });
      const untaggedB = await submit(b, { year: 2021 });

      // one tag per countable field, each differing on that field only
      const variants: Record<string, [Record<string, unknown>, Record<string, unknown>]> = {
        year: [{}, { year: 2019 }],
        quarter: [{}, { quarter: 2 }], // absent (null) vs 2
        region: [{}, { region: 'PE-TUM' }],
        incidentType: [{}, { incidentType: 'extortion' }],
        victimGender: [{}, { victimGender: 'cis-woman' }],
        victimNationality: [{}, { victimNationality: 'PE' }],
        victimAgeBand: [{}, { victimAgeBand: '35-44' }],
        perpetratorType: [{}, { perpetratorType: 'unknown' }],
        outcome: [
          { incidentType: 'disappearance', outcome: 'unknown' },
          { incidentType: 'disappearance', outcome: 'found-dead' },
        ],
      };
      expect(Object.keys(variants).sort()).toEqual([...COUNTABLE_FIELDS].sort());
      const expected = new Map<string, { field: string; ids: string[] }>();
      for (const [field, [x, y]] of Object.entries(variants)) {
        const tg = tag();
        const ids = [await submit(a, { dedupeTag: tg, ...x }), await submit(b, { dedupeTag: tg, ...y })];
        expected.set(tg, { field, ids });
      }

      const list = await allConflicts();
      const byTag = new Map(list.map((x) => [x.tag, x]));
      for (const [tg, { field, ids }] of expected) {
        const item = byTag.get(tg);
        expect(item, field).toBeDefined();
        expect(item.differ).toEqual([field]);
        expect(item.chosenReportId).toBeNull();
        expect(item.reports.map((r: any) => r.id)).toEqual([...ids].sort());
      }
      expect(byTag.has(agree)).toBe(false);
      expect(byTag.has(lone)).toBe(false);
      const ids = JSON.stringify(list);
      expect(ids).not.toContain(untaggedA);
      expect(ids).not.toContain(untaggedB);

      // the reports' fields are the stored ones, exactly
      const yearTag = [...expected].find(([, v]) => v.field === 'year')![0];
      const yearItem = byTag.get(yearTag);
      const years = Object.fromEntries(yearItem.reports.map((r: any) => [r.id, r.year]));
      expect(years[expected.get(yearTag)!.ids[0]!]).toBe(2023);
      expect(years[expected.get(yearTag)!.ids[1]!]).toBe(2019);
      const quarterTag = [...expected].find(([, v]) => v.field === 'quarter')![0];
      expect(
        byTag
          .get(quarterTag)
          .reports.map((r: any) => r.quarter)
          .sort(),
      ).toEqual([2, null]);
    });

    it('never names a member: each report carries its id and countable fields only', async () => {
      const tg = tag();
      await submit(a, { dedupeTag: tg });
      await submit(b, { dedupeTag: tg, year: 2019 });
      const res = await call('GET', '/api/v1/steward/conflicts?limit=500', t.steward);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeGreaterThan(0);
      for (const item of res.body.items) {
        expect(Object.keys(item).sort()).toEqual(['chosenReportId', 'differ', 'reports', 'tag']);
        for (const r of item.reports) expect(Object.keys(r).sort()).toEqual(['id', ...COUNTABLE_FIELDS].sort());
      }
      const members = await t.db.prisma.member.findMany({ select: { keyId: true, publicKey: true } });
      for (const m of members) {
        expect(res.text).not.toContain(m.keyId);
        expect(res.text).not.toContain(m.publicKey);
      }
      expect(res.text).not.toContain('memberKeyId');
    });

    it('ignores withdrawn and superseded reports and the reports of excluded members', async () => {
      const withdrawn = tag();
      await submit(a, { dedupeTag: withdrawn });
      const gone = await submit(b, { dedupeTag: withdrawn, year: 2019 });
      const amended = tag();
      await submit(a, { dedupeTag: amended });
      const old = await submit(b, { dedupeTag: amended, year: 2019 });
      const quarantinedTag = tag();
      await submit(a, { dedupeTag: quarantinedTag });
      await submit(c, { dedupeTag: quarantinedTag, perpetratorType: 'unknown' });
      const three = tag(); // two agree, the third (from the member to exclude) disagrees
      await submit(a, { dedupeTag: three });
      await submit(b, { dedupeTag: three });
      await submit(c, { dedupeTag: three, region: 'PE-TUM' });

      let tags = await conflictTags();
      for (const tg of [withdrawn, amended, quarantinedTag, three]) expect(tags).toContain(tg);

      expect((await signed(t.app, 'POST', `/api/v1/reports/${gone}/withdraw`, b)).status).toBe(200);
      expect((await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, b, sampleReport(t, { dedupeTag: amended, supersedes: old }))).status).toBe(201);
      expect((await call('POST', `/api/v1/steward/members/${c.keyId}/quarantine`, t.steward)).status).toBe(200);
      try {
        tags = await conflictTags();
        for (const tg of [withdrawn, amended, quarantinedTag, three]) expect(tags).not.toContain(tg);
      } finally {
        expect((await call('DELETE', `/api/v1/steward/members/${c.keyId}/quarantine`, t.steward)).status).toBe(200);
      }
      tags = await conflictTags();
      expect(tags).toContain(quarantinedTag);
      expect(tags).toContain(three);
      expect(tags).not.toContain(withdrawn);
      expect(tags).not.toContain(amended);

      // a revoked member's reports count nowhere either
      const r = await enrolMember(t);
      const revokedTag = tag();
      await submit(a, { dedupeTag: revokedTag });
      await submit(r, { dedupeTag: revokedTag, year: 2019 });
      expect(await conflictTags()).toContain(revokedTag);
      expect((await call('DELETE', `/api/v1/members/${r.keyId}`, t.steward)).status).toBe(200);
      expect(await conflictTags()).not.toContain(revokedTag);
    });

    it('pages by tag: every page in order, no conflict twice or missed', async () => {
      for (let i = 0; i < 5; i++) {
        const tg = tag();
        await submit(a, { dedupeTag: tg });
        await submit(b, { dedupeTag: tg, victimAgeBand: '35-44' });
      }
      const all = (await allConflicts(500)).map((x) => x.tag);
      expect(all.length).toBeGreaterThanOrEqual(5);
      expect([...all].sort()).toEqual(all);
      expect(await allConflicts(2).then((xs) => xs.map((x) => x.tag))).toEqual(all);
      // the first tags of all: three conflicts that exist only through an excluded member's
      // report, then a real one; a page of one must skip the three and find the fourth
      const low = (n: number) => n.toString(16).padStart(64, '0');
      const x = await enrolMember(t);
      for (const n of [1, 2, 3]) {
        await submit(a, { dedupeTag: low(n) });
        await submit(x, { dedupeTag: low(n), year: 2019 });
      }
      await submit(a, { dedupeTag: low(4) });
      await submit(b, { dedupeTag: low(4), year: 2019 });
      expect((await call('POST', `/api/v1/steward/members/${x.keyId}/quarantine`, t.steward)).status).toBe(200);
      const first = await call('GET', '/api/v1/steward/conflicts?limit=1', t.steward);
      expect(first.body.items.map((i: any) => i.tag)).toEqual([low(4)]);
      expect(first.body.nextCursor).toBe(low(4));
      expect((await allConflicts(1)).map((i) => i.tag)).toEqual((await allConflicts(500)).map((i) => i.tag));
      expect(await conflictTags()).not.toContain(low(1));

      for (const q of ['limit=0', 'limit=501', 'cursor=xyz', 'other=1']) {
        const res = await call('GET', `/api/v1/steward/conflicts?${q}`, t.steward);
        expect(res.status, q).toBe(400);
        expect(res.body.error.code).toBe('invalid_query');
      }
    });
  });

  describe('resolutions', () => {
    it('records the steward’s choice, replaces it, and refuses a report outside the tag, inactive or excluded, writing nothing', async () => {
      const tg = tag();
      const ra = await submit(a, { dedupeTag: tg });
      const rb = await submit(b, { dedupeTag: tg, year: 2019 });
      const other = tag();
      const elsewhere = await submit(a, { dedupeTag: other });
      const gone = await submit(c, { dedupeTag: tg, year: 2020 });
      expect((await signed(t.app, 'POST', `/api/v1/reports/${gone}/withdraw`, c)).status).toBe(200);
      const untagged = await submit(a, {});

      await writesNothing(async () => {
        for (const reportId of [elsewhere, gone, untagged, newId()]) {
          const res = await call('POST', `/api/v1/steward/conflicts/${tg}/resolve`, t.steward, { reportId });
          expect(res.status).toBe(409);
          expect(res.body.error.code).toBe('dedupe_choice_invalid');
        }
        for (const body of [{}, { reportId: 'nope' }, { reportId: ra, extra: 1 }]) {
          const res = await call('POST', `/api/v1/steward/conflicts/${tg}/resolve`, t.steward, body);
          expect(res.status).toBe(400);
          expect(res.body.error.code).toBe('invalid_body');
        }
        const badTag = await call('POST', '/api/v1/steward/conflicts/ABC/resolve', t.steward, { reportId: ra });
        expect(badTag.status).toBe(400);
        expect(badTag.body.error.code).toBe('invalid_path');
      });

      const ok = await call('POST', `/api/v1/steward/conflicts/${tg}/resolve`, t.steward, { reportId: rb });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ tag: tg, reportId: rb });
      expect((await dedupeChoices(t.ctx)).get(tg)).toBe(rb);
      expect((await allConflicts()).find((x) => x.tag === tg).chosenReportId).toBe(rb);

      const same = await call('POST', `/api/v1/steward/conflicts/${tg}/resolve`, t.steward, { reportId: rb });
      expect(same.status).toBe(200);
      expect(await t.db.prisma.dedupeChoice.findMany({ where: { tag: tg } })).toEqual([{ tag: tg, reportId: rb }]);

      const changed = await call('POST', `/api/v1/steward/conflicts/${tg}/resolve`, t.steward, { reportId: ra });
      expect(changed.status).toBe(200);
      expect((await dedupeChoices(t.ctx)).get(tg)).toBe(ra);
      expect(await t.db.prisma.dedupeChoice.count({ where: { tag: tg } })).toBe(1);

      // a later report under the tag, even a disagreeing one, does not undo a choice that applies
      await submit(c, { dedupeTag: tg, region: 'PE-TUM' });
      expect((await dedupeChoices(t.ctx)).get(tg)).toBe(ra);
    });

    it('a choice lapses while its report is withdrawn, amended, or its member excluded', async () => {
      const q = await enrolMember(t);
      const tg = tag();
      await submit(a, { dedupeTag: tg });
      const rq = await submit(q, { dedupeTag: tg, year: 2019 });
      expect((await call('POST', `/api/v1/steward/conflicts/${tg}/resolve`, t.steward, { reportId: rq })).status).toBe(200);
      expect((await dedupeChoices(t.ctx)).get(tg)).toBe(rq);

      // the member quarantined: the choice no longer applies; lifted: it applies again
      expect((await call('POST', `/api/v1/steward/members/${q.keyId}/quarantine`, t.steward)).status).toBe(200);
      expect((await dedupeChoices(t.ctx)).has(tg)).toBe(false);
      await t.db.transaction(async (tx) => expect((await dedupeChoices(t.ctx, tx)).has(tg)).toBe(false));
      const refused = await call('POST', `/api/v1/steward/conflicts/${tg}/resolve`, t.steward, { reportId: rq });
      expect(refused.status).toBe(409);
      expect((await call('DELETE', `/api/v1/steward/members/${q.keyId}/quarantine`, t.steward)).status).toBe(200);
      expect((await dedupeChoices(t.ctx)).get(tg)).toBe(rq);

      // amended (superseded): lapses for good, the new version is not chosen in its place
      const amended = await submit(q, { dedupeTag: tg, year: 2018, supersedes: rq });
      expect((await dedupeChoices(t.ctx)).has(tg)).toBe(false);
      expect((await allConflicts()).find((x) => x.tag === tg).chosenReportId).toBeNull();

      // chosen again, then withdrawn: lapses
      expect((await call('POST', `/api/v1/steward/conflicts/${tg}/resolve`, t.steward, { reportId: amended })).status).toBe(200);
      expect((await dedupeChoices(t.ctx)).get(tg)).toBe(amended);
      expect((await signed(t.app, 'POST', `/api/v1/reports/${amended}/withdraw`, q)).status).toBe(200);
      expect((await dedupeChoices(t.ctx)).has(tg)).toBe(false);

      // revoked: lapses
      const tg2 = tag();
      await submit(a, { dedupeTag: tg2 });
      const rq2 = await submit(q, { dedupeTag: tg2, year: 2019 });
      expect((await call('POST', `/api/v1/steward/conflicts/${tg2}/resolve`, t.steward, { reportId: rq2 })).status).toBe(200);
      expect((await call('DELETE', `/api/v1/members/${q.keyId}`, t.steward)).status).toBe(200);
      expect((await dedupeChoices(t.ctx)).has(tg2)).toBe(false);

      // a stored choice naming an active report of ANOTHER tag (no route writes one) never applies
      const tg3 = tag();
      const elsewhere = await submit(a, { dedupeTag: tag() });
      await t.db.prisma.dedupeChoice.create({ data: { tag: tg3, reportId: elsewhere } });
      expect((await dedupeChoices(t.ctx)).has(tg3)).toBe(false);
    });
  });

  it('hostile paths, queries and bodies signed by the steward: always a 4xx with a code, nothing written but nonces', async () => {
    const tg = tag();
    await submit(a, { dedupeTag: tg });
    await submit(b, { dedupeTag: tg, year: 2019 });
    const before = await tableContents(t.testDb);
    const junk = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('__proto__', 'constructor', '%00', '..', 'm-AAAAAAAAAAAAAAAA', 'a'.repeat(64), 'AB'.repeat(32), '-1', '1e999'),
    );
    const value = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom({ __proto__: { x: 1 } }, { reportId: null }, { reportId: 1e308 }, { reportId: ['x'] }, { reportId: newId(), reportid: newId() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('quarantine', 'unquarantine', 'list', 'resolve'), junk, value, async (route, word, body) => {
        const seg = encodeURIComponent(word);
        const [method, url, sent] =
          route === 'quarantine'
            ? (['POST', `/api/v1/steward/members/${seg}/quarantine`, body] as const)
            : route === 'unquarantine'
              ? (['DELETE', `/api/v1/steward/members/${seg}/quarantine`, undefined] as const)
              : route === 'list'
                ? (['GET', `/api/v1/steward/conflicts?cursor=${seg}&limit=${seg}`, undefined] as const)
                : (['POST', `/api/v1/steward/conflicts/${tg}/resolve`, body] as const);
        const res = await call(method, url, t.steward, sent);
        expect(res.status, `${method} ${url} ${JSON.stringify(sent)} → ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(typeof res.body.error?.code).toBe('string');
      }),
      { numRuns: 120, seed: 1515 },
    );
    const after = await tableContents(t.testDb);
    for (const table of Object.keys(before)) if (table !== 'Nonce') expect(after[table], table).toBe(before[table]);
  });

  describe('the dedupe ranking secret', () => {
    it('is 32 random bytes, the same for every app instance on one database, made once', async () => {
      const s1 = await dedupeRankSecret(t.ctx);
      expect(s1).toBeInstanceOf(Uint8Array);
      expect(s1.length).toBe(32);
      // a second and a third instance of the server on the same database, asking at the same time
      const dbs = [openDatabase(t.testDb.url), openDatabase(t.testDb.url)];
      try {
        const ctxs: ServiceContext[] = dbs.map((db) => ({ db, keys: t.keys, now: t.ctx.now }));
        for (const ctx of ctxs) createApp(ctx, { logger: createLogger('silent') });
        const [s2, s3] = await Promise.all(ctxs.map((ctx) => dedupeRankSecret(ctx)));
        expect(Buffer.from(s2!).toString('hex')).toBe(Buffer.from(s1).toString('hex'));
        expect(Buffer.from(s3!).toString('hex')).toBe(Buffer.from(s1).toString('hex'));
      } finally {
        for (const db of dbs) await db.close();
      }
      expect(await t.db.prisma.serverSecret.count()).toBe(1);
      // a caller that scribbles on its copy changes nothing for the next one
      s1.fill(0);
      expect(Buffer.from(await dedupeRankSecret(t.ctx)).toString('hex')).not.toBe('00'.repeat(32));
    });

    it('two fresh databases get different secrets', async () => {
      const u = await startTestApp(provider);
      try {
        const mine = Buffer.from(await dedupeRankSecret(t.ctx)).toString('hex');
        const theirs = Buffer.from(await dedupeRankSecret(u.ctx)).toString('hex');
        expect(theirs).toMatch(/^[0-9a-f]{64}$/);
        expect(theirs).not.toBe(mine);
      } finally {
        await u.close();
      }
    });

    it('ranks by HMAC-SHA-256(secret, tag "\\n" memberKeyId): independent of the report id a member picks', async () => {
      const secret = await dedupeRankSecret(t.ctx);
      const tg = tag();
      const expected = createHmac('sha256', Buffer.from(secret)).update(`${tg}\n${a.keyId}`).digest('hex');
      expect(dedupeRank(secret, tg, a.keyId)).toBe(expected);
      expect(dedupeRank(secret, tg, b.keyId)).not.toBe(expected);
      // without the server's secret (here: a member's guess of one), the ranks are not the server's
      expect(dedupeRank(new Uint8Array(32), tg, a.keyId)).not.toBe(expected);
      // the member's attack: many submissions under one tag with ground report ids; the rank of its
      // reports is one value whatever the ids (it is not an input)
      const ranks = new Set<string>();
      for (let i = 0; i < 20; i++) ranks.add(dedupeRank(secret, tg, b.keyId));
      expect(ranks.size).toBe(1);
    });

    it('never appears in an answer or a log line', async () => {
      // a tour of every route a member, publisher or steward can reach, after all of the above
      const tg = tag();
      const id = await submit(a, { dedupeTag: tg });
      await submit(b, { dedupeTag: tg, year: 2019 });
      for (const [key, method, url, body] of [
        [a, 'GET', `/api/v1/reports/${id}`, undefined],
        [a, 'GET', '/api/v1/reports', undefined],
        [t.steward, 'GET', '/api/v1/steward/reports?limit=500', undefined],
        [t.steward, 'GET', '/api/v1/steward/conflicts?limit=500', undefined],
        [t.steward, 'POST', `/api/v1/steward/conflicts/${tg}/resolve`, { reportId: id }],
        [t.publisher, 'POST', '/api/v1/releases', { series: 'secreto', filter: { year: 2023 }, tables: [['year', 'region']], method: 'suppression' }],
      ] as const)
        answers.push(answerText(await signed(t.app, method, url, key, body)));
      for (const url of ['/api/v1/openapi.json', '/api/v1/health', '/.well-known/contamos.json', '/api/v1/releases']) {
        answers.push(answerText(await signed(t.app, 'GET', url, a)));
      }
      const secret = Buffer.from(await dedupeRankSecret(t.ctx));
      const forms = [secret.toString('hex'), secret.toString('hex').toUpperCase(), secret.toString('base64'), secret.toString('base64url')];
      expect(answers.length).toBeGreaterThan(50);
      const everything = answers.join('\n') + t.logs.join('') + printed.join('\n');
      expect(t.logs.length).toBeGreaterThan(50);
      for (const form of forms) expect(everything).not.toContain(form);
    });
  });
});
