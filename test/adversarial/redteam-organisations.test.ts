// Red-team attacks on organisations of several keys (2c15587: Member.organisation, the steward's
// link POST /api/v1/steward/members/:keyId/organisation, invites made for an enrolled
// organisation, holdings and the dedupe draw by organisation, CONTAMOS_HOLDINGS_COALITION).
//
// The attacker (SECURITY.md, "Insiders") is a hostile member organisation holding all its keys,
// the coalition's dedupe secret and everything ever published; or someone next to the steward.
// Safe behaviour is asserted with `it`; attacks that work today are `it.fails` with a VULNERABLE
// comment saying why and the fix.
//
// Found: two links at once on PostgreSQL split one organisation (A → B while B → C): FIXED here
// (prisma-data.ts joinOrganisation locks both organisations' naming rows); the steward's flags
// name an organisation by its naming key, which quarantine does not stop (it.fails, open).
// Defended: links and organisation invites are steward-only (403 for members and the publisher,
// no key-existence oracle); an organisation invite is used once; an enrolled key presented with
// another organisation's invite joins nothing; chains, cycles, self-links, old names (property
// test against a union-find, both stores); a revoked naming key or a quarantined key of an
// organisation; a link never moves an incident already counted.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, generateSigningKeyPair } from '../../crypto/index.js';
import { unpackIds } from '../../server/services/incidents.js';
import { organisationsOf } from '../../server/services/organisations.js';
import { readReportFacts } from '../../server/services/report-facts.js';
import { enrolMember, signed, startTestApp, type SigningKey, type TestApp, submitReports as submit } from '../helpers/app.js';
import { publish } from '../helpers/releases.js';

const K = 5;
const small = (x: number): boolean => Math.abs(x) >= 1 && Math.abs(x) <= K - 1;
type Cell = { key: Record<string, string>; count: number | null; suppressed: boolean };
const tumbes = (m: { tables: Array<{ cells: Cell[] }> }): Cell =>
  m.tables.flatMap((x) => x.cells).find((c) => canonicalJson(c.key) === canonicalJson({ year: '2023', region: 'PE-TUM' }))!;
const REQ = { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] };

const link = (t: TestApp, by: SigningKey, keyId: string, sameAs: string) =>
  signed(t.app, 'POST', `/api/v1/steward/members/${keyId}/organisation`, by, { sameAs });
const linked = async (t: TestApp): Promise<Map<string, string>> => new Map(await t.db.members.organisations());

/** Key pairs made on the client, enrolled with an invite token the caller got. */
const enrolWith = (t: TestApp, invite: string, publicKey: string) =>
  request(t.app).post('/api/v1/enrol').set('content-type', 'application/json').send({ invite, publicKey });

describe('who can write an organisation link (item 1)', () => {
  let t: TestApp;
  let m: SigningKey;
  let other: SigningKey;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: K });
    [m, other] = [await enrolMember(t), await enrolMember(t)];
  });
  afterAll(async () => t?.close());

  it('a member or the publisher cannot link keys, nor make an invite for an organisation; nothing is written and the answer does not depend on the keys', async () => {
    for (const by of [m, other, t.publisher]) {
      const known = await link(t, by, m.keyId, other.keyId);
      const unknown = await link(t, by, `m-${'A'.repeat(16)}`, other.keyId);
      expect(known.status).toBe(403);
      expect(unknown.status).toBe(known.status);
      expect(unknown.body).toEqual(known.body); // no key existence oracle for non-stewards
      const inv = await signed(t.app, 'POST', '/api/v1/invites', by, { sameOrganisationAs: m.keyId });
      expect(inv.status).toBe(403);
    }
    expect((await linked(t)).size).toBe(0);
  });

  it('an invite made for an organisation is used once: a second enrolment with it links nothing', async () => {
    const inv = await signed(t.app, 'POST', '/api/v1/invites', t.steward, { sameOrganisationAs: m.keyId });
    expect(inv.status).toBe(201);
    const k1 = generateSigningKeyPair();
    const k2 = generateSigningKeyPair();
    const first = await enrolWith(t, inv.body.invite, k1.publicKey);
    expect(first.status).toBe(201);
    const second = await enrolWith(t, inv.body.invite, k2.publicKey);
    expect(second.status).toBe(400);
    const l = await linked(t);
    expect(l.get(first.body.keyId)).toBe(m.keyId);
    expect([...l.keys()]).toEqual([first.body.keyId]);
  });

  it("an already-enrolled key (a hostile member's) presented with an invite made for another organisation does not join it", async () => {
    // The hostile member H obtains (or intercepts) an invite the steward made for victim V's
    // organisation and presents its OWN enrolled public key: were H's key to join V's organisation,
    // H's share would include V's reports and (coalition 1) H∪V would be one organisation.
    const hostile = generateSigningKeyPair();
    const inv1 = await signed(t.app, 'POST', '/api/v1/invites', t.steward, {});
    const h = await enrolWith(t, inv1.body.invite, hostile.publicKey);
    expect(h.status).toBe(201);
    const before = await linked(t);
    const inv2 = await signed(t.app, 'POST', '/api/v1/invites', t.steward, { sameOrganisationAs: other.keyId });
    const again = await enrolWith(t, inv2.body.invite, hostile.publicKey);
    expect(again.status).toBe(201); // answered as a new key (members.ts header) ...
    expect(again.body.keyId).not.toBe(h.body.keyId);
    expect(await linked(t)).toEqual(before); // ... but nothing joined V's organisation
    expect(await t.db.prisma.member.findUnique({ where: { keyId: again.body.keyId } })).toBeNull();
  });

  it('the enrolment answer for an invite made for an organisation has the same shape as a plain one (the new key learns nothing of the link)', async () => {
    const plain = await signed(t.app, 'POST', '/api/v1/invites', t.steward, {});
    const forOrg = await signed(t.app, 'POST', '/api/v1/invites', t.steward, { sameOrganisationAs: other.keyId });
    expect(Object.keys(forOrg.body).sort()).toEqual(Object.keys(plain.body).sort());
    const a = await enrolWith(t, plain.body.invite, generateSigningKeyPair().publicKey);
    const b = await enrolWith(t, forOrg.body.invite, generateSigningKeyPair().publicKey);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(Object.keys(b.body).sort()).toEqual(Object.keys(a.body).sort());
    expect(JSON.stringify(b.body)).not.toContain(other.keyId);
    for (const line of t.logs) expect(line).not.toContain(other.keyId); // no log line names the organisation
  });
});

/** A union-find over key indices: the reference partition. */
class UnionFind {
  private parent: number[] = [];
  add(): number {
    this.parent.push(this.parent.length);
    return this.parent.length - 1;
  }
  find(i: number): number {
    while (this.parent[i] !== i) i = this.parent[i]!;
    return i;
  }
  union(i: number, j: number): void {
    this.parent[this.find(i)] = this.find(j);
  }
}

describe.each(['sqlite', 'postgres'] as const)('merge semantics (item 3), %s', (provider) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(provider, { minK: K, rateLimitPerMinute: 1_000_000, publicRateLimitPerMinute: 1_000_000 });
  });
  afterAll(async () => t?.close());

  it('chains, cycles, self-links, an old name, a naming key that later links elsewhere: one name per organisation', async () => {
    const [a, b, c, d, e] = [await enrolMember(t), await enrolMember(t), await enrolMember(t), await enrolMember(t), await enrolMember(t)];
    for (const [x, y] of [
      [a, b], // A → B
      [b, c], // B (naming A's organisation) → C
      [d, a], // D → A: A's old name
      [a, a], // self
      [c, a], // a cycle: C's organisation into A's, already one
    ] as const)
      expect((await link(t, t.steward, x.keyId, y.keyId)).status).toBe(200);
    const of = await organisationsOf(t.ctx);
    expect(new Set([a, b, c, d].map((k) => of(k.keyId))).size).toBe(1);
    expect(of(e.keyId)).toBe(e.keyId);
    // an invite made for A before A's organisation later links to E: the key it enrols follows
    const inv = await signed(t.app, 'POST', '/api/v1/invites', t.steward, { sameOrganisationAs: a.keyId });
    expect((await link(t, t.steward, c.keyId, e.keyId)).status).toBe(200);
    const f = await enrolWith(t, inv.body.invite, generateSigningKeyPair().publicKey);
    expect(f.status).toBe(201);
    const of2 = await organisationsOf(t.ctx);
    expect(new Set([a, b, c, d, e].map((k) => of2(k.keyId)).concat(of2(f.body.keyId))).size).toBe(1);
  });

  it('property: after any sequence of links and invites for an organisation, organisations() is the union-find partition, named by one of its own keys', async () => {
    // Sequential operations on the real store, enrolments through the HTTP app, against a union-find reference.
    type Op = { kind: 'link'; i: number; j: number } | { kind: 'invite'; i: number };
    const op = fc.oneof(
      fc.record({ kind: fc.constant('link' as const), i: fc.nat(7), j: fc.nat(7) }),
      fc.record({ kind: fc.constant('invite' as const), i: fc.nat(7) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops: Op[]) => {
        const uf = new UnionFind();
        const keys: string[] = [];
        for (let n = 0; n < 4; n++) {
          keys.push((await enrolMember(t)).keyId);
          uf.add();
        }
        for (const o of ops) {
          if (o.kind === 'link') {
            const [i, j] = [o.i % keys.length, o.j % keys.length];
            expect((await t.db.members.joinOrganisation(keys[i]!, keys[j]!)) || false).toBe(true);
            uf.union(i, j);
          } else {
            const i = o.i % keys.length;
            keys.push((await enrolMember(t, keys[i])).keyId);
            uf.union(uf.add(), i);
          }
        }
        const of = await organisationsOf(t.ctx);
        const byName = new Map<string, number>();
        for (let i = 0; i < keys.length; i++) {
          const name = of(keys[i]!);
          // the name is a key of the same organisation
          const at = keys.indexOf(name);
          expect(at).toBeGreaterThanOrEqual(0);
          expect(uf.find(at)).toBe(uf.find(i));
          // and one name per organisation
          const seen = byName.get(name);
          if (seen === undefined) byName.set(name, uf.find(i));
          else expect(seen).toBe(uf.find(i));
          for (let j = 0; j < i; j++) expect(of(keys[j]!) === name).toBe(uf.find(j) === uf.find(i));
        }
        // and the stored form: every link names a key that names itself (no chains)
        const l = await linked(t);
        for (const k of keys) if (l.has(k)) expect(l.has(l.get(k)!)).toBe(false);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});

describe('links racing on PostgreSQL (items 2 and 3)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres', { minK: K });
  });
  afterAll(async () => t?.close());

  /** Runs `first` in a transaction held open while `second` (its own transaction) runs (until it commits, or 500 ms). */
  async function interleave(first: Parameters<TestApp['db']['transaction']>[0], second: Parameters<TestApp['db']['transaction']>[0]): Promise<void> {
    let wrote!: () => void;
    let release!: () => void;
    const firstWrote = new Promise<void>((r) => (wrote = r));
    const held = new Promise<void>((r) => (release = r));
    const one = t.db.transaction(async (tx) => {
      await first(tx);
      wrote();
      await held;
    });
    await firstWrote;
    // `second` runs while `first` is open; a fixed store makes it wait for `first`'s commit
    const two = t.db.transaction(second);
    await Promise.race([two, new Promise((r) => setTimeout(r, 500))]);
    release();
    await Promise.all([one, two]);
  }

  // VULNERABLE (steward-side race, PostgreSQL): joinOrganisation (prisma-data.ts) reads both keys'
  // organisations, then updates `keyId = from OR organisation = from` under READ COMMITTED, with no
  // lock. Two links at once — A → B while B → C (two steward terminals, or the CLI and an invite
  // enrolment for B's organisation) — each miss the other's uncommitted rows: A ends named B, B
  // named C. `organisations()` then gives A's reports holder "B" and B's and C's holder "C": the
  // one organisation {A, B, C} is SPLIT into two holders, exactly what "merges, never splits"
  // forbids; with CONTAMOS_HOLDINGS_COALITION=1 its keys can pad a cell together and compute what
  // the others reported (the control of redteam-global's 'two member keys pad one cell together'),
  // and every later link of A's "organisation B" moves A alone. Fix: serialise links on the two
  // root rows — in joinOrganisation, lock `from` and `to` (e.g. `UPDATE "Member" SET
  // "organisation" = "organisation" WHERE "keyId" IN (from, to)`, or SELECT … FOR UPDATE), re-read
  // a and b after the lock and retry until the roots are unchanged; or run the link transaction
  // at SERIALIZABLE and retry on 40001.
  it('two links at once (A → B, B → C) leave one organisation with one name', async () => {
    const [a, b, c] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
    await interleave(
      (tx) => tx.members.joinOrganisation(a.keyId, b.keyId),
      (tx) => tx.members.joinOrganisation(b.keyId, c.keyId),
    );
    const of = await organisationsOf(t.ctx);
    expect(new Set([a, b, c].map((k) => of(k.keyId))).size).toBe(1);
  });

  // The same race with an invite made for B's organisation: the new key enrols (joins B) while the
  // steward links B's organisation into C's. VULNERABLE for the same reason; same fix.
  it('an enrolment for an organisation racing a link of that organisation leaves one name', async () => {
    const [b, c] = [await enrolMember(t), await enrolMember(t)];
    const inv = await signed(t.app, 'POST', '/api/v1/invites', t.steward, { sameOrganisationAs: b.keyId });
    expect(inv.status).toBe(201);
    const newKey = `m-${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    await interleave(
      async (tx) => {
        await tx.members.create(newKey, generateSigningKeyPair().publicKey);
        await tx.members.joinOrganisation(newKey, b.keyId);
      },
      (tx) => tx.members.joinOrganisation(b.keyId, c.keyId),
    );
    const of = await organisationsOf(t.ctx);
    expect(new Set([newKey, b.keyId, c.keyId].map(of)).size).toBe(1);
  });
});

describe('excluded keys inside an organisation (item 2)', () => {
  /** A reports 1 in Tumbes (hidden); keys of one organisation pad it; what does Tumbes show? */
  async function padOrganisation(opts: { revokeNaming?: boolean; quarantineOne?: boolean }) {
    const t = await startTestApp('sqlite', { minK: K, holdingsCoalition: 1 });
    try {
      const [a, c, named] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
      const [k2, k3] = [await enrolMember(t, named.keyId), await enrolMember(t, named.keyId)];
      await submit(t, c, 30, { year: 2023, region: 'PE-LMA' });
      await submit(t, a, 1, { year: 2023, region: 'PE-TUM' });
      const r1 = await publish(t, REQ);
      expect(tumbes(r1.manifest).suppressed).toBe(true);
      if (opts.quarantineOne) await submit(t, named, 3, { year: 2023, region: 'PE-TUM' });
      await submit(t, k2, 3, { year: 2023, region: 'PE-TUM' });
      await submit(t, k3, 3, { year: 2023, region: 'PE-TUM' });
      if (opts.revokeNaming) expect((await signed(t.app, 'DELETE', `/api/v1/members/${named.keyId}`, t.steward)).status).toBe(200);
      if (opts.quarantineOne) expect((await signed(t.app, 'POST', `/api/v1/steward/members/${named.keyId}/quarantine`, t.steward, {})).status).toBe(200);
      const r2 = await publish(t, REQ);
      return tumbes(r2.manifest).count;
    } finally {
      await t.close();
    }
  }

  it('an organisation whose naming key is revoked: its other keys still count as one organisation (coalition 1)', async () => {
    const tum = await padOrganisation({ revokeNaming: true });
    if (tum !== null) expect(small(tum - 6), `Tumbes = ${tum}, the organisation's two live keys hold 6`).toBe(false);
  });

  it("a quarantined key of an organisation: its reports count nowhere, and its organisation's other keys still count as one", async () => {
    const tum = await padOrganisation({ quarantineOne: true });
    // counted: A's 1 and the live keys' 6 (the quarantined key's 3 count nowhere, in the count or a share)
    if (tum !== null) {
      expect(tum).not.toBe(10);
      expect(small(tum - 6), `Tumbes = ${tum}, the organisation's live keys hold 6`).toBe(false);
    }
  });
});

describe("the steward's flags for an organisation of several keys (items 2 and 5)", () => {
  let t: TestApp;
  let a: SigningKey;
  let named: SigningKey;
  let padder: SigningKey;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { minK: K });
    [a, named] = [await enrolMember(t), await enrolMember(t)];
    padder = await enrolMember(t, named.keyId); // a second key of `named`'s organisation
    await submit(t, a, 1, { year: 2023, region: 'PE-TUM' });
    await submit(t, padder, 9, { year: 2023, region: 'PE-TUM' }); // 9 of 10: flagged
  });
  afterAll(async () => t?.close());

  it('a member cannot read the flags (which name organisations by a key id)', async () => {
    for (const by of [a, padder, t.publisher]) expect((await signed(t.app, 'GET', '/api/v1/steward/flags', by)).status).toBe(403);
  });

  // FIXED (was VULNERABLE: the steward's remedy misfired). The flags answer exists so the steward
  // can quarantine the member dominating a cell. After 2c15587 its `memberKeyId` was the key id
  // NAMING the organisation, which may have filed nothing there: `padder` filed all 9 Tumbes
  // reports, the flag named `named`, the steward quarantined `named` as told and the padding still
  // counted. Now a flag is counted by organisation but names, as `memberKeyId`, the organisation's
  // key in most of the cell's incidents, with every key that reported there in `keyIds`.
  it('quarantining the key the flag names stops the flagged padding from counting', async () => {
    const flags = await signed(t.app, 'GET', '/api/v1/steward/flags', t.steward);
    expect(flags.status).toBe(200);
    const flag = flags.body.items.find((f: { region: string }) => f.region === 'PE-TUM');
    expect(flag).toBeDefined();
    expect(flag.memberKeyId).toBe(padder.keyId); // the key that filed the padding, not the organisation's name
    expect(flag.keyIds).toEqual([padder.keyId]);
    expect(flag.memberIncidents).toBe(9);
    expect((await signed(t.app, 'POST', `/api/v1/steward/members/${flag.memberKeyId}/quarantine`, t.steward, {})).status).toBe(200);
    const after = await signed(t.app, 'GET', '/api/v1/steward/flags', t.steward);
    expect(after.body.items.find((f: { region: string }) => f.region === 'PE-TUM')).toBeUndefined();
  });
});

describe('the dedupe draw by organisation (item 4)', () => {
  // One draw per organisation: an organisation's several keys filing under a guessed tag are one
  // draw, however many keys (unit: test/unit/dedupe-rank.test.ts). What is new for the attacker is
  // only that linking renames the organisation in the rank: an incident not yet in any data version
  // may be drawn again after a link. Once a version counted it, its representative sticks.
  it('a link after a version was counted never moves a counted incident (the representative sticks)', async () => {
    const t = await startTestApp('sqlite', { minK: 2 });
    try {
      const SECRET_TAG = 'a'.repeat(64);
      const [v, h1, h2] = [await enrolMember(t), await enrolMember(t), await enrolMember(t)];
      // the victim's report, then the hostile organisation's two keys file the same (guessed) tag
      // with other values: before and after the link, Lima's count is what the draw gave first
      await submit(t, v, 2, { year: 2023, region: 'PE-CUS' });
      await submit(t, v, 1, { year: 2023, region: 'PE-LMA', dedupeTag: SECRET_TAG });
      await submit(t, h1, 1, { year: 2023, region: 'PE-ARE', dedupeTag: SECRET_TAG });
      await submit(t, h2, 1, { year: 2023, region: 'PE-TUM', dedupeTag: SECRET_TAG });
      const req = { series: 'r', filter: { year: 2023 }, tables: [['year']], k: 2 };
      const r1 = await publish(t, req);
      const ver1 = r1.manifest.data;
      const facts = await readReportFacts(t.ctx);
      const v1 = await t.db.log.versions();
      const reps1 = v1.map((x) => x.representatives);
      expect((await link(t, t.steward, h1.keyId, h2.keyId)).status).toBe(200);
      await submit(t, v, 1, { year: 2023, region: 'PE-CUS' }); // a new version
      await publish(t, req);
      const v2 = await t.db.log.versions();
      const before = new Set(reps1.flatMap((r) => unpackIds(r)));
      const after = new Set(unpackIds(v2.at(-1)!.representatives));
      const tagged = [...facts.values()].filter((r) => r.dedupeTag === SECRET_TAG).map((r) => r.id);
      expect(tagged.filter((id) => before.has(id))).toEqual(tagged.filter((id) => after.has(id)));
      expect(ver1.length).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });
});
