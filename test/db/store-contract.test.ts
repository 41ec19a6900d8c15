// The Store contract (server/db/store.ts): the same cases, run against the SQLite store (a temp
// file) and the PostgreSQL store (a fresh database on this run's cluster). Written from the side
// of a client that replays, races and lies: every refusal code of the intake, with nothing stored
// by a refused submission (its nonce included); idempotency; a replayed nonce; supersedes; a
// revoked or unknown key; the same id or the same nonce submitted on two replicas at once; nonces
// consumed by `signed` and rolled back with its work; rate windows and a charged intake's rules; releases, drafts, the log,
// the DP ledger and purging.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../server/db/client.js';
import { isUniqueViolation } from '../../server/db/errors.js';
import { migrate } from '../../server/db/migrate.js';
import type { IntakeCharge, NonceRow, ReportRow, Store } from '../../server/db/store.js';
import { AppError } from '../../server/errors.js';
import { createTestDatabase, providers, type TestDatabase } from '../helpers/databases.js';

const FAR = 2_000_000_000; // expiries are 32-bit integers
const nonce = (expiresAt = FAR): NonceRow => ({ hash: randomBytes(32).toString('hex'), expiresAt });
const hash = () => randomBytes(32).toString('hex');

describe.each(providers)('the Store contract (%s)', (provider) => {
  let tdb: TestDatabase;
  let store: Database;
  let replica: Database; // a second Store on the same database (another replica)
  let member: string;
  let other: string;

  const row = (over: Partial<ReportRow> = {}): ReportRow => ({
    id: randomUUID(),
    memberKeyId: member,
    year: 2023,
    quarter: null,
    region: 'PE-LMA',
    incidentType: 'extortion',
    victimGender: 'cis-woman',
    victimNationality: 'VE',
    victimAgeBand: '25-34',
    perpetratorType: 'police',
    outcome: null,
    sealedNarrative: randomBytes(48).toString('base64'),
    dedupeTag: null,
    supersedes: null,
    reportHash: hash(),
    ...over,
  });
  const enrol = async (s: Store = store) => {
    const keyId = `m-${randomBytes(9).toString('base64url')}`;
    await s.members.create(keyId, `pk-${keyId}`);
    return keyId;
  };
  const nonceStored = async (n: NonceRow) => (await store.prisma.nonce.count({ where: { hash: n.hash } })) === 1;
  const reportOf = (id: string) => store.prisma.report.findUnique({ where: { id }, select: { status: true, reportHash: true, memberKeyId: true } });

  beforeAll(async () => {
    tdb = await createTestDatabase(provider);
    await migrate(tdb.url);
    store = openDatabase(tdb.url);
    replica = openDatabase(tdb.url);
    member = await enrol();
    other = await enrol();
  });
  afterAll(async () => {
    await store?.close();
    await replica?.close();
    await tdb?.drop();
  });

  it('says which provider it is and answers the health check', async () => {
    expect(store.provider).toBe(provider);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  describe('intake', () => {
    it('stores a report with its nonce; the same report again is stored already, and keeps its nonce consumed', async () => {
      const r = row();
      const n1 = nonce();
      expect(await store.intake.submit(n1, r)).toEqual({ created: true });
      expect(await reportOf(r.id)).toEqual({ status: 'active', reportHash: r.reportHash, memberKeyId: member });
      expect(await nonceStored(n1)).toBe(true);
      const n2 = nonce();
      expect(await store.intake.submit(n2, { ...r })).toEqual({ created: false });
      expect(await nonceStored(n2)).toBe(true);
      expect(await store.nonces.seen(n2.hash)).toBe(true);
    });

    it('refuses a replayed nonce before anything else, storing nothing', async () => {
      const n = nonce();
      expect(await store.intake.submit(n, row())).toEqual({ created: true });
      const replay = row();
      expect(await store.intake.submit(n, replay)).toEqual({ error: 'replayed_nonce' });
      expect(await reportOf(replay.id)).toBeNull();
      // even when the replay names a revoked key or a taken id, the nonce is what refuses it
      expect(await store.intake.submit(n, row({ memberKeyId: 'm-nobody' }))).toEqual({ error: 'replayed_nonce' });
    });

    it("refuses another body under an existing id (report_conflict) and another member's id (report_id_taken), storing nothing", async () => {
      const r = row();
      expect(await store.intake.submit(nonce(), r)).toEqual({ created: true });
      const n1 = nonce();
      expect(await store.intake.submit(n1, { ...r, reportHash: hash() })).toEqual({ error: 'report_conflict' });
      expect(await nonceStored(n1)).toBe(false);
      const n2 = nonce();
      expect(await store.intake.submit(n2, { ...r, memberKeyId: other })).toEqual({ error: 'report_id_taken' });
      expect(await store.intake.submit(nonce(), { ...r, memberKeyId: other, reportHash: hash() })).toEqual({ error: 'report_id_taken' });
      expect(await nonceStored(n2)).toBe(false);
      expect(await reportOf(r.id)).toEqual({ status: 'active', reportHash: r.reportHash, memberKeyId: member });
    });

    it('refuses a revoked or unknown key (key_revoked), storing nothing', async () => {
      const gone = await enrol();
      expect(await store.intake.submit(nonce(), row({ memberKeyId: gone }))).toEqual({ created: true });
      expect(await store.members.revoke(gone)).toBe(true);
      const n = nonce();
      const late = row({ memberKeyId: gone });
      expect(await store.intake.submit(n, late)).toEqual({ error: 'key_revoked' });
      expect(await reportOf(late.id)).toBeNull();
      expect(await nonceStored(n)).toBe(false);
      expect(await store.intake.submit(nonce(), row({ memberKeyId: 'm-nobody-at-all' }))).toEqual({ error: 'key_revoked' });
    });

    it("applies supersedes to one's own active report only (report_not_active, report_not_found), atomically", async () => {
      const first = row();
      expect(await store.intake.submit(nonce(), first)).toEqual({ created: true });
      const amended = row({ supersedes: first.id });
      expect(await store.intake.submit(nonce(), amended)).toEqual({ created: true });
      expect((await reportOf(first.id))?.status).toBe('superseded');
      expect((await reportOf(amended.id))?.status).toBe('active');
      // amending the superseded one again: not active, and nothing of the attempt stays
      const again = row({ supersedes: first.id });
      const n = nonce();
      expect(await store.intake.submit(n, again)).toEqual({ error: 'report_not_active' });
      expect(await reportOf(again.id)).toBeNull();
      expect(await nonceStored(n)).toBe(false);
      // a report that does not exist, and another member's report, are both not found
      expect(await store.intake.submit(nonce(), row({ supersedes: randomUUID() }))).toEqual({ error: 'report_not_found' });
      const theirs = row({ memberKeyId: other });
      expect(await store.intake.submit(nonce(), theirs)).toEqual({ created: true });
      expect(await store.intake.submit(nonce(), row({ supersedes: theirs.id }))).toEqual({ error: 'report_not_found' });
      expect((await reportOf(theirs.id))?.status).toBe('active');
    });

    it('two replicas submitting one id at once end as if one came second', async () => {
      const same = row();
      const results = await Promise.all([store.intake.submit(nonce(), same), replica.intake.submit(nonce(), { ...same })]);
      expect(results).toEqual(expect.arrayContaining([{ created: true }, { created: false }]));
      const clash = row();
      const clashing = await Promise.all([store.intake.submit(nonce(), clash), replica.intake.submit(nonce(), { ...clash, reportHash: hash() })]);
      expect(clashing).toEqual(expect.arrayContaining([{ created: true }, { error: 'report_conflict' }]));
      const taken = row();
      const stolen = await Promise.all([store.intake.submit(nonce(), taken), replica.intake.submit(nonce(), { ...taken, memberKeyId: other })]);
      expect(stolen.filter((o) => 'created' in o)).toEqual([{ created: true }]);
      expect(stolen.filter((o) => 'error' in o)).toEqual([{ error: 'report_id_taken' }]);
    });

    it('two replicas using one nonce at once: exactly one is stored', async () => {
      const n = nonce();
      const [a, b] = [row(), row()];
      const results = await Promise.all([store.intake.submit(n, a), replica.intake.submit(n, b)]);
      expect(results).toEqual(expect.arrayContaining([{ created: true }, { error: 'replayed_nonce' }]));
      const stored = [await reportOf(a.id), await reportOf(b.id)].filter((x) => x !== null);
      expect(stored).toHaveLength(1);
    });

    it('a burst of submissions, some refused, leaves exactly the accepted ones', async () => {
      const rows = Array.from({ length: 20 }, (_, i) => row(i % 5 === 0 ? { memberKeyId: 'm-nobody' } : {}));
      const results = await Promise.all(rows.map((r) => store.intake.submit(nonce(), r)));
      for (const [i, r] of rows.entries()) {
        expect(results[i]).toEqual(i % 5 === 0 ? { error: 'key_revoked' } : { created: true });
        expect((await reportOf(r.id)) !== null).toBe(i % 5 !== 0);
      }
    });
  });

  describe('signed requests and nonces', () => {
    it('consumes the nonce with the work; a replay is refused; a failed work consumes nothing', async () => {
      const n = nonce();
      const inv = hash();
      await store.signed(n, (tx) => tx.invites.create(inv, FAR));
      expect(await store.invites.expiry(inv)).toBe(FAR);
      expect(await store.nonces.seen(n.hash)).toBe(true);
      await expect(store.signed(n, async () => 'again')).rejects.toMatchObject({ code: 'replayed_nonce' });
      await expect(replica.signed(n, async () => 'again')).rejects.toBeInstanceOf(AppError);
      // a nonce used by the intake is used for signed requests too, and the other way round
      const m = nonce();
      expect(await store.intake.submit(m, row())).toEqual({ created: true });
      await expect(store.signed(m, async () => undefined)).rejects.toMatchObject({ code: 'replayed_nonce' });
      // work that throws rolls back its writes and the nonce
      const f = nonce();
      const inv2 = hash();
      await expect(
        store.signed(f, async (tx) => {
          await tx.invites.create(inv2, FAR);
          throw new AppError('not_found');
        }),
      ).rejects.toMatchObject({ code: 'not_found' });
      expect(await store.invites.expiry(inv2)).toBeNull();
      expect(await store.nonces.seen(f.hash)).toBe(false);
      expect(await store.signed(f, async () => 'now')).toBe('now');
    });

    it('purges nonces past expiry, and only those', async () => {
      const old = nonce(1000);
      const fresh = nonce(FAR);
      await store.signed(old, async () => undefined);
      await store.signed(fresh, async () => undefined);
      expect(await store.nonces.purgeExpired(2000)).toBeGreaterThanOrEqual(1);
      expect(await store.nonces.seen(old.hash)).toBe(false);
      expect(await store.nonces.seen(fresh.hash)).toBe(true);
    });
  });

  describe('rate windows', () => {
    it('a nonce charged once is never charged again, consumed or not, until it expires', async () => {
      const b = hash();
      const n = nonce(1500);
      expect((await store.rateWindows.charge(n, [{ bucket: b, expiresAt: FAR }]))?.get(b)).toBe(1);
      // the request was refused (its nonce not consumed): a copy of it charges nothing
      expect(await store.rateWindows.charge(n, [{ bucket: b, expiresAt: FAR }])).toBeNull();
      expect((await store.rateWindows.charge(nonce(), [{ bucket: b, expiresAt: FAR }]))?.get(b)).toBe(2);
      // the mark goes with the nonce's expiry (no signature carrying it is fresh any more)
      await store.rateWindows.purgeExpired(2000);
      expect((await store.rateWindows.charge(n, [{ bucket: b, expiresAt: FAR }]))?.get(b)).toBe(3);
    });

    it('count per bucket, charge nothing for a consumed nonce, refund never below zero, purge by expiry', async () => {
      const [b1, b2] = [hash(), hash()];
      const first = await store.rateWindows.charge({ hash: hash(), expiresAt: FAR }, [
        { bucket: b1, expiresAt: 1000 },
        { bucket: b2, expiresAt: FAR },
      ]);
      expect(first).toEqual(
        new Map([
          [b1, 1],
          [b2, 1],
        ]),
      );
      expect((await store.rateWindows.charge({ hash: hash(), expiresAt: FAR }, [{ bucket: b1, expiresAt: 1000 }]))?.get(b1)).toBe(2);
      const used = nonce();
      await store.signed(used, async () => undefined);
      expect(await store.rateWindows.charge(used, [{ bucket: b1, expiresAt: 1000 }])).toBeNull();
      expect((await store.rateWindows.charge({ hash: hash(), expiresAt: FAR }, [{ bucket: b1, expiresAt: 1000 }]))?.get(b1)).toBe(3);
      await store.rateWindows.refund(b2);
      await store.rateWindows.refund(b2);
      expect((await store.rateWindows.charge({ hash: hash(), expiresAt: FAR }, [{ bucket: b2, expiresAt: FAR }]))?.get(b2)).toBe(1);
      expect(await store.rateWindows.purgeExpired(2000)).toBeGreaterThanOrEqual(1);
      expect((await store.rateWindows.charge({ hash: hash(), expiresAt: FAR }, [{ bucket: b1, expiresAt: 1000 }]))?.get(b1)).toBe(1);
      expect((await store.rateWindows.charge({ hash: hash(), expiresAt: FAR }, [{ bucket: b2, expiresAt: FAR }]))?.get(b2)).toBe(2);
    });
  });

  describe('a charged intake (db/intake-charge.ts, migration 0015)', () => {
    /** A window's count now, read by charging it and giving the point back. */
    const countOf = async (bucket: string) => {
      const n = (await store.rateWindows.charge({ hash: hash(), expiresAt: FAR }, [{ bucket, expiresAt: FAR }]))!.get(bucket)!;
      await store.rateWindows.refund(bucket);
      return n - 1;
    };
    const windows = (minute: number, day?: number): IntakeCharge => ({
      minute: { bucket: hash(), expiresAt: FAR, limit: minute },
      ...(day === undefined ? {} : { day: { bucket: hash(), expiresAt: FAR, limit: day } }),
    });
    const counts = async (c: IntakeCharge) => [await countOf(c.minute.bucket), c.day ? await countOf(c.day.bucket) : null];

    it("charges a new report's minute and day; the same report again and refusals keep the minute spent and give the day back", async () => {
      const c = windows(10, 10);
      const r = row();
      expect(await store.intake.submit(nonce(), r, c)).toEqual({ created: true });
      expect(await counts(c)).toEqual([1, 1]);
      expect(await store.intake.submit(nonce(), { ...r }, c)).toEqual({ created: false });
      expect(await counts(c)).toEqual([2, 1]);
      const n = nonce();
      expect(await store.intake.submit(n, { ...r, reportHash: hash() }, c)).toEqual({ error: 'report_conflict' });
      expect(await counts(c)).toEqual([3, 1]);
      expect([await nonceStored(n), (await reportOf(r.id))?.reportHash]).toEqual([false, r.reportHash]);
      expect(await store.intake.submit(nonce(), row({ memberKeyId: 'm-nobody' }), c)).toEqual({ error: 'key_revoked' });
      expect(await counts(c)).toEqual([4, 1]);
    });

    it('a replay charges nothing; a replay racing its original gives its point back', async () => {
      const c = windows(10, 10);
      const n = nonce();
      expect(await store.intake.submit(n, row(), c)).toEqual({ created: true });
      expect(await store.intake.submit(n, row(), c)).toEqual({ error: 'replayed_nonce' });
      expect(await counts(c)).toEqual([1, 1]);
      const raced = nonce();
      const both = await Promise.all([store.intake.submit(raced, row(), c), store.intake.submit(raced, row(), c)]);
      expect(both).toEqual(expect.arrayContaining([{ created: true }, { error: 'replayed_nonce' }]));
      expect(await counts(c)).toEqual([2, 2]);
    });

    it.runIf(provider === 'postgres')('PostgreSQL: a replay whose original commits while it waits gives back the point it took', async () => {
      // the original holds its nonce uncommitted on another connection, so the replay passes the
      // function's first look, is charged, and then waits on the nonce's insert
      const c = windows(10, 10);
      const n = nonce();
      const original = new pg.Client({ connectionString: tdb.url });
      await original.connect();
      try {
        await original.query('BEGIN');
        await original.query('INSERT INTO "Nonce" ("hash", "expiresAt") VALUES ($1, $2)', [n.hash, n.expiresAt]);
        const replay = store.intake.submit(n, row(), c);
        for (let i = 0; i < 100; i++) {
          const waiting = await original.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
          );
          if (waiting.rows[0].n > 0) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        await original.query('COMMIT');
        expect(await replay).toEqual({ error: 'replayed_nonce' });
      } finally {
        await original.end();
      }
      expect(await counts(c)).toEqual([0, 0]);
    });

    it('beyond the minute: rate_limited, nothing written, the day given back; beyond the day: daily_limit_reached, the minute spent, the day given back', async () => {
      const c = windows(2, 5);
      for (let i = 0; i < 2; i++) expect(await store.intake.submit(nonce(), row(), c)).toEqual({ created: true });
      const [n, r] = [nonce(), row()];
      expect(await store.intake.submit(n, r, c)).toEqual({ error: 'rate_limited' });
      expect(await counts(c)).toEqual([3, 2]);
      expect([await nonceStored(n), await reportOf(r.id)]).toEqual([false, null]);

      const d = windows(10, 1);
      expect(await store.intake.submit(nonce(), row(), d)).toEqual({ created: true });
      const [n2, r2] = [nonce(), row()];
      expect(await store.intake.submit(n2, r2, d)).toEqual({ error: 'daily_limit_reached' });
      expect(await counts(d)).toEqual([2, 1]);
      expect([await nonceStored(n2), await reportOf(r2.id)]).toEqual([false, null]);

      const minuteOnly = windows(1);
      expect(await store.intake.submit(nonce(), row(), minuteOnly)).toEqual({ created: true });
      expect(await store.intake.submit(nonce(), row(), minuteOnly)).toEqual({ error: 'rate_limited' });
      expect(await counts(minuteOnly)).toEqual([2, null]);

      // beyond both: rate_limited, and the day given back all the same
      const both = windows(1, 1);
      expect(await store.intake.submit(nonce(), row(), both)).toEqual({ created: true });
      expect(await store.intake.submit(nonce(), row(), both)).toEqual({ error: 'rate_limited' });
      expect(await counts(both)).toEqual([2, 1]);
    });
  });

  describe('members and invites', () => {
    it('looks keys up, enrols once per public key, revokes and quarantines', async () => {
      const k = await enrol();
      expect(await store.members.key(k)).toEqual({ publicKey: `pk-${k}`, revoked: false });
      expect(await replica.members.key('m-unknown')).toBeNull();
      expect(await store.members.allKeys()).toContainEqual([k, `pk-${k}`]);
      expect(await store.members.isEnrolled(`pk-${k}`)).toBe(true);
      await expect(store.members.create(`m-${hash().slice(0, 10)}`, `pk-${k}`)).rejects.toSatisfy(isUniqueViolation);
      expect(await store.members.setQuarantined(k, true)).toBe(true);
      expect(await store.members.excluded()).toContain(k);
      expect(await store.members.setQuarantined(k, false)).toBe(true);
      expect(await store.members.excluded()).not.toContain(k);
      expect(await store.members.revoke('m-unknown')).toBe(false);
      expect(await store.members.revoke(k)).toBe(true);
      expect(await store.members.key(k)).toEqual({ publicKey: `pk-${k}`, revoked: true });
    });

    it('uses an invite once and only before expiry; purges expired ones', async () => {
      const [open, late] = [hash(), hash()];
      await store.invites.create(open, 5000);
      await store.invites.create(late, 1000);
      expect(await store.invites.use(late, 2000)).toBe(false);
      expect(await store.invites.use(open, 2000)).toBe(true);
      expect(await store.invites.use(open, 2000)).toBe(false);
      expect(await store.invites.purgeExpired(2000)).toBeGreaterThanOrEqual(1);
      expect(await store.invites.expiry(late)).toBeNull();
    });

    it('links keys into organisations by merging, never splitting; an invite keeps the organisation it was made for', async () => {
      const [k1, k2, k3, k4] = [await enrol(), await enrol(), await enrol(), await enrol()];
      const orgOf = async (k: string) => new Map(await replica.members.organisations()).get(k) ?? k;
      expect(await store.members.joinOrganisation(k2, 'm-unknown')).toBe(false);
      expect(await store.members.joinOrganisation('m-unknown', k2)).toBe(false);
      expect(await orgOf(k2)).toBe(k2);
      expect(await store.members.joinOrganisation(k2, k1)).toBe(true);
      expect(await store.members.joinOrganisation(k4, k3)).toBe(true);
      expect(await Promise.all([k1, k2, k3, k4].map(orgOf))).toEqual([k1, k1, k3, k3]);
      // k1's organisation (k1 and k2) into k4's (k3 and k4), inside a transaction as the service does
      expect(await store.transaction((tx) => tx.members.joinOrganisation(k1, k4))).toBe(true);
      expect(new Set(await Promise.all([k1, k2, k3, k4].map(orgOf))).size).toBe(1);
      expect(await store.members.joinOrganisation(k3, k2)).toBe(true); // already one: nothing changes
      expect(new Set(await Promise.all([k1, k2, k3, k4].map(orgOf))).size).toBe(1);
      const inv = hash();
      await store.invites.create(inv, FAR, k2);
      expect(await store.invites.organisation(inv)).toBe(k2);
      expect(await store.invites.organisation(hash())).toBeNull();
      const plain = hash();
      await store.invites.create(plain, FAR);
      expect(await store.invites.organisation(plain)).toBeNull();
    });
  });

  describe('releases, drafts, the log and the ledger', () => {
    it('stores drafts until signed or expired', async () => {
      const id = randomUUID();
      const draft = { id, series: 's', sequence: 1, hash: hash(), manifest: '{}', leaves: Uint8Array.from(randomBytes(64)), expiresAt: 1000 };
      await store.drafts.create(draft);
      const got = await replica.drafts.get(id);
      expect({ ...got, leaves: Buffer.from(got!.leaves).toString('hex') }).toEqual({ ...draft, leaves: Buffer.from(draft.leaves).toString('hex') });
      const kept = { ...draft, id: randomUUID(), expiresAt: FAR };
      await store.drafts.create(kept);
      expect(await store.drafts.purgeExpired(2000)).toBe(1);
      expect(await store.drafts.get(id)).toBeNull();
      await store.drafts.delete(kept.id);
      expect(await store.drafts.get(kept.id)).toBeNull();
    });

    it("stores releases: a series' sequence and a hash are taken once", async () => {
      const mk = (series: string, sequence: number) => ({
        id: `${series}-${sequence}`,
        series,
        sequence,
        hash: hash(),
        manifest: `{"series":"${series}"}`,
        signature: 'sig',
        keyId: 'p-1',
        publishedOn: '2024-01-01',
        leaves: Uint8Array.from(randomBytes(32)),
      });
      const a1 = mk('a', 1);
      const a2 = mk('a', 2);
      await store.releases.create(a1);
      await store.releases.create(a2);
      await expect(replica.releases.create({ ...mk('a', 2), id: 'a-2b' })).rejects.toSatisfy(isUniqueViolation);
      await expect(replica.releases.create({ ...mk('b', 1), hash: a1.hash })).rejects.toSatisfy(isUniqueViolation);
      expect(await store.releases.latest('a')).toEqual({ id: 'a-2', hash: a2.hash, sequence: 2 });
      expect(await store.releases.latest('none')).toBeNull();
      expect((await store.releases.firsts()).map((r) => r.series)).toEqual(['a']);
      expect((await store.releases.list()).map((r) => r.id)).toEqual(['a-1', 'a-2']);
      const { leaves: _leaves, ...a1Row } = a1;
      expect(await store.releases.byId('a-1')).toEqual(a1Row);
      const withLeaves = await replica.releases.leaves('a-1');
      expect(Buffer.from(withLeaves!.leaves).toString('hex')).toBe(Buffer.from(a1.leaves).toString('hex'));
      expect(await store.releases.byId('none')).toBeNull();
      expect(await store.releases.byHash(a2.hash)).toEqual({ signature: 'sig', keyId: 'p-1' });
      expect((await store.releases.hashes()).sort()).toEqual([a1.hash, a2.hash].sort());
    });

    it('appends to the log at the next index only, and records data versions once', async () => {
      expect(await store.log.lastIndex()).toBe(0);
      const e1 = { logIndex: 1, hash: hash(), manifest: '{"i":1}' };
      await store.signed(nonce(), (tx) => tx.log.append(e1));
      await expect(replica.log.append({ logIndex: 1, hash: hash(), manifest: '{}' })).rejects.toSatisfy(isUniqueViolation);
      expect(await replica.log.lastIndex()).toBe(1);
      expect(await store.log.read()).toEqual([e1]);
      expect(await store.log.entry(1)).toEqual(e1);
      expect(await store.log.entry(2)).toBeNull();
      const v = {
        year: 2023,
        version: 1,
        since: null,
        digest: hash(),
        reports: Uint8Array.from(randomBytes(16)),
        representatives: Uint8Array.from(randomBytes(16)),
      };
      await store.log.recordVersion(v);
      await expect(replica.log.recordVersion(v)).rejects.toSatisfy(isUniqueViolation);
      expect((await store.log.versions()).map((r) => [r.year, r.version, r.digest])).toEqual([[2023, 1, v.digest]]);
    });

    it('keeps the DP ledger in order: a place in it is taken once', async () => {
      expect(await store.dp.last()).toBeNull();
      const r1 = { sequence: 1, total: '1', spentBefore: '0', charged: '0.1', spentAfter: '0.1' };
      await store.dp.append(r1);
      await expect(replica.dp.append({ ...r1, charged: '0.2', spentAfter: '0.2' })).rejects.toSatisfy(isUniqueViolation);
      expect(await replica.dp.last()).toEqual(r1);
    });

    it('keeps one value per secret and one featured series per slot', async () => {
      const [x, y] = [hash(), hash()];
      expect(await store.secrets.getOrCreate('contract', x)).toBe(x);
      expect(await replica.secrets.getOrCreate('contract', y)).toBe(x);
      expect(await store.featured.get('home')).toBeNull();
      await store.featured.set('home', 'a');
      await replica.featured.set('home', 'b');
      expect(await store.featured.get('home')).toBe('b');
    });
  });

  describe('counting reads and conflicts', () => {
    it("reads every report's facts with NULLs spelled as asked, and finds disagreeing dedupe tags of counted members", async () => {
      const tag = 'a'.repeat(64);
      const x = row({ dedupeTag: tag, quarter: 2 });
      const y = row({ dedupeTag: tag, memberKeyId: other, quarter: null, outcome: 'reported' });
      for (const r of [x, y]) expect(await store.intake.submit(nonce(), r)).toEqual({ created: true });
      const byId = new Map<unknown, unknown[]>();
      await store.reports.factRows([{ column: 'quarter', nullAs: 'unknown' }, { column: 'region' }, { column: 'outcome', nullAs: 'not-applicable' }], (f) =>
        byId.set(f[0], f),
      );
      expect(byId.get(x.id)).toEqual([x.id, member, tag, x.reportHash, 'active', 2023, '2|PE-LMA|not-applicable']);
      expect(byId.get(y.id)?.[6]).toBe('unknown|PE-LMA|reported');
      expect(await store.conflicts.candidateTags(undefined, 10)).toContain(tag);
      expect(await store.conflicts.confirmTags([tag])).toEqual([tag]);
      expect((await store.conflicts.countedUnder([tag])).map((r) => r.id).sort()).toEqual([x.id, y.id].sort());
      expect(await store.conflicts.isCountedUnder(x.id, tag)).toBe(true);
      await store.conflicts.setChoice(tag, x.id);
      expect(await store.conflicts.choices([tag])).toEqual([{ tag, reportId: x.id }]);
      // once the other member is quarantined the tag no longer disagrees among counted members
      await store.members.setQuarantined(other, true);
      expect(await store.conflicts.confirmTags([tag])).toEqual([]);
      await store.members.setQuarantined(other, false);
      await expect(store.conflicts.confirmTags(["x' OR 1=1 --"])).rejects.toThrow();
    });
  });
});
