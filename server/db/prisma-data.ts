// prisma-data.ts — members, invites, reports and dedupe conflicts of a Store, over a Prisma client
// or one of its transactions (the same code serves both providers: the two generated clients have
// identical models, test/db/schemas-agree.test.ts). Raw SQL here is written once for SQLite and
// PostgreSQL alike (quoted identifiers, no provider-specific function).
// Guarantees: "a member whose reports count" (neither revoked nor quarantined) is defined here
// once, as a Prisma filter (`COUNTED`) and as SQL (`countedMemberSql`), and the two agree
// (test/api/steward.test.ts); no query selects "memberKeyId" into a conflict answer.
import type { Db, Tx } from './client.js';
import { COUNTABLE_FIELDS } from './report-row.js';
import type { ConflictStore, FactKeyColumn, InviteStore, MemberStore, ReportStore } from './store.js';

type Client = Db | Tx;

const COUNTED = { status: 'active', member: { is: { revoked: false, quarantined: false } } } as const;

/**
 * SQL condition, true for a report whose member's reports count (neither revoked nor quarantined).
 * `reportAlias` is the alias (or quoted table name) of the "Report" row in the query.
 */
export function countedMemberSql(reportAlias = '"Report"'): string {
  if (!/^("[A-Za-z_]+"|[A-Za-z_][A-Za-z0-9_]*)$/.test(reportAlias)) throw new Error('not an SQL alias');
  return `NOT EXISTS (SELECT 1 FROM "Member" xm WHERE xm."keyId" = ${reportAlias}."memberKeyId" AND (xm.revoked OR xm.quarantined))`;
}

export function memberData(db: Client): MemberStore {
  return {
    key: (keyId) => db.member.findUnique({ where: { keyId }, select: { publicKey: true, revoked: true } }),
    allKeys: async () => (await db.member.findMany({ select: { keyId: true, publicKey: true } })).map((m) => [m.keyId, m.publicKey]),
    isEnrolled: async (publicKey) => (await db.member.findUnique({ where: { publicKey }, select: { keyId: true } })) !== null,
    create: async (keyId, publicKey) => {
      await db.member.create({ data: { keyId, publicKey } });
    },
    joinOrganisation: async (keyId, sameAs) => {
      // Two links at once (PostgreSQL, READ COMMITTED) must not each miss the other's rows: A → B
      // while B → C would leave A named B and B named C, one organisation split in two. So the two
      // organisations' naming rows are locked first, by a write that matches them only while they
      // still name themselves; a concurrent link of either waits for this one and then re-reads
      // (test/adversarial/redteam-organisations.test.ts). If either was linked meanwhile, read again.
      for (let attempt = 0; ; attempt++) {
        const [a, b] = await Promise.all(
          [keyId, sameAs].map((k) => db.member.findUnique({ where: { keyId: k }, select: { keyId: true, organisation: true } })),
        );
        if (!a || !b) return false;
        const from = a.organisation ?? a.keyId;
        const to = b.organisation ?? b.keyId;
        if (from === to) return true;
        const locked = await db.member.updateMany({ where: { keyId: { in: [from, to] }, organisation: null }, data: { organisation: null } });
        if (locked.count === 2) {
          await db.member.updateMany({ where: { OR: [{ keyId: from }, { organisation: from }] }, data: { organisation: to } });
          return true;
        }
        if (attempt >= 8) throw new Error('joinOrganisation: the organisations kept changing');
      }
    },
    organisations: async () =>
      (await db.member.findMany({ where: { organisation: { not: null } }, select: { keyId: true, organisation: true } })).map((m) => [
        m.keyId,
        m.organisation!,
      ]),
    revoke: async (keyId) => (await db.member.updateMany({ where: { keyId }, data: { revoked: true } })).count > 0,
    setQuarantined: async (keyId, quarantined) => (await db.member.updateMany({ where: { keyId }, data: { quarantined } })).count > 0,
    excluded: async () =>
      (await db.member.findMany({ where: { OR: [{ revoked: true }, { quarantined: true }] }, select: { keyId: true } })).map((r) => r.keyId),
  };
}

export function inviteData(db: Client): InviteStore {
  return {
    create: async (tokenHash, expiresAt, organisation) => {
      await db.invite.create({ data: { tokenHash, expiresAt, organisation: organisation ?? null } });
    },
    organisation: async (tokenHash) => (await db.invite.findUnique({ where: { tokenHash }, select: { organisation: true } }))?.organisation ?? null,
    expiry: async (tokenHash) => (await db.invite.findUnique({ where: { tokenHash }, select: { expiresAt: true } }))?.expiresAt ?? null,
    use: async (tokenHash, now) => (await db.invite.deleteMany({ where: { tokenHash, expiresAt: { gt: now } } })).count === 1,
    purgeExpired: async (now) => (await db.invite.deleteMany({ where: { expiresAt: { lt: now } } })).count,
  };
}

const FACT_COLUMNS = ['id', 'memberKeyId', 'dedupeTag', 'reportHash', 'status', 'year'] as const;

/** The facts read of ReportStore.factRows as one statement (one consistent read). */
export function factsSql(columns: readonly FactKeyColumn[]): string {
  for (const c of columns) {
    if (!/^[A-Za-z]+$/.test(c.column) || (c.nullAs !== undefined && !/^[A-Za-z0-9-]+$/.test(c.nullAs))) throw new Error('not a column');
  }
  const key = columns.map((c) => (c.nullAs === undefined ? `"${c.column}"` : `COALESCE(CAST("${c.column}" AS TEXT), '${c.nullAs}')`)).join(` || '|' || `);
  return `SELECT ${FACT_COLUMNS.map((c) => `"${c}"`).join(', ')}, ${key} AS "k" FROM "Report"`;
}

export function reportData(db: Client): ReportStore {
  return {
    own: (keyId, id) => db.report.findFirst({ where: { id, memberKeyId: keyId }, select: { id: true, status: true, reportHash: true, supersedes: true } }),
    supersededBy: async (id) => (await db.report.findFirst({ where: { supersedes: id }, select: { id: true } }))?.id ?? null,
    listOwn: (keyId, cursor, take) =>
      db.report.findMany({
        where: { memberKeyId: keyId, ...(cursor ? { id: { gt: cursor } } : {}) },
        orderBy: { id: 'asc' },
        take,
        select: { id: true, status: true, reportHash: true, supersedes: true, year: true, incidentType: true, region: true },
      }),
    withdraw: async (id) => {
      await db.report.update({ where: { id }, data: { status: 'withdrawn' } });
    },
    page: (cursor, take) =>
      db.report.findMany({
        where: cursor ? { id: { gt: cursor } } : {},
        orderBy: { id: 'asc' },
        take,
        select: {
          id: true,
          status: true,
          year: true,
          quarter: true,
          region: true,
          incidentType: true,
          victimGender: true,
          victimNationality: true,
          victimAgeBand: true,
          perpetratorType: true,
          outcome: true,
          sealedNarrative: true,
          dedupeTag: true,
          supersedes: true,
        },
      }),
    factRows: async (columns, onRow) => {
      for (const r of await db.$queryRawUnsafe<Array<Record<string, unknown>>>(factsSql(columns))) onRow([...FACT_COLUMNS.map((c) => r[c]), r.k]);
    },
  };
}

const HEX64 = /^[0-9a-f]{64}$/;
const SELECT_FIELDS = {
  id: true,
  dedupeTag: true,
  year: true,
  quarter: true,
  region: true,
  incidentType: true,
  victimGender: true,
  victimNationality: true,
  victimAgeBand: true,
  perpetratorType: true,
  outcome: true,
} as const;

/**
 * SQL, true for a group of reports (GROUP BY tag) that disagree on some countable field: two
 * different values, or a value beside a NULL (quarter and outcome may be NULL).
 */
const DISAGREE = COUNTABLE_FIELDS.map(
  (f) => `MIN(r."${f}") <> MAX(r."${f}")` + (f === 'quarter' || f === 'outcome' ? ` OR COUNT(r."${f}") NOT IN (0, COUNT(*))` : ''),
).join(' OR ');

/** Tags are interpolated into SQL: only 64 lowercase hex characters ever are. */
function hexTags(tags: readonly string[]): string {
  if (!tags.every((t) => HEX64.test(t))) throw new Error('a dedupe tag is not 64 hex characters');
  return tags.map((t) => `'${t}'`).join(', ');
}

export function conflictData(db: Client): ConflictStore {
  return {
    // Read in tag order from the counting index alone, which holds every countable field.
    candidateTags: async (after, limit) => {
      if (after !== undefined) hexTags([after]);
      if (!Number.isInteger(limit) || limit < 1) throw new Error('limit must be a positive integer');
      return (
        await db.$queryRawUnsafe<Array<{ tag: string }>>(
          `SELECT r."dedupeTag" AS tag FROM "Report" r
         WHERE r.status = 'active' AND r."dedupeTag" IS NOT NULL${after ? ` AND r."dedupeTag" > '${after}'` : ''}
         GROUP BY r."dedupeTag" HAVING ${DISAGREE} ORDER BY r."dedupeTag" LIMIT ${limit}`,
        )
      ).map((r) => r.tag);
    },
    confirmTags: async (tags) => {
      if (tags.length === 0) return [];
      return (
        await db.$queryRawUnsafe<Array<{ tag: string }>>(
          `SELECT r."dedupeTag" AS tag FROM "Report" r
         WHERE r.status = 'active' AND r."dedupeTag" IN (${hexTags(tags)}) AND ${countedMemberSql('r')}
         GROUP BY r."dedupeTag" HAVING ${DISAGREE} ORDER BY r."dedupeTag"`,
        )
      ).map((r) => r.tag);
    },
    countedUnder: (tags) =>
      db.report.findMany({ where: { dedupeTag: { in: tags }, ...COUNTED }, orderBy: [{ dedupeTag: 'asc' }, { id: 'asc' }], select: SELECT_FIELDS }),
    isCountedUnder: async (reportId, tag) =>
      (await db.report.findFirst({ where: { id: reportId, dedupeTag: tag, ...COUNTED }, select: { id: true } })) !== null,
    countedTags: (ids) => db.report.findMany({ where: { id: { in: ids }, ...COUNTED }, select: { id: true, dedupeTag: true } }),
    choices: (tags) => db.dedupeChoice.findMany(tags ? { where: { tag: { in: tags } } } : undefined),
    setChoice: async (tag, reportId) => {
      await db.dedupeChoice.upsert({ where: { tag }, create: { tag, reportId }, update: { reportId } });
    },
  };
}
