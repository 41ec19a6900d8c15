// prisma-release-data.ts — releases, drafts, the publication log and data versions, the DP ledger,
// the featured series and the server's secrets of a Store, over a Prisma client or one of its
// transactions (both providers).
// Guarantees: the log is read in index order and appended only through `append` (a concurrent
// append at the same index fails on the primary key, never overwrites); a data version is written
// once (primary key (year, version)); the database refuses any update or delete of either
// (triggers, migration 0008b). A secret is inserted only when absent (ON CONFLICT DO NOTHING), so
// replicas starting together read one value.
import type { Db, Tx } from './client.js';
import type { DpLedgerStore, DraftStore, FeaturedStore, PublicationLogStore, ReleaseStore, SecretStore } from './store.js';

type Client = Db | Tx;

export function releaseData(db: Client): ReleaseStore {
  return {
    latest: (series) => db.release.findFirst({ where: { series }, orderBy: { sequence: 'desc' }, select: { id: true, hash: true, sequence: true } }),
    firsts: () => db.release.findMany({ where: { sequence: 1 }, select: { series: true, manifest: true } }),
    list: () =>
      db.release.findMany({
        orderBy: [{ series: 'asc' }, { sequence: 'asc' }],
        select: { id: true, series: true, sequence: true, hash: true, publishedOn: true, manifest: true },
      }),
    byId: (id) => db.release.findUnique({ where: { id }, omit: { leaves: true } }),
    leaves: (id) => db.release.findUnique({ where: { id }, select: { hash: true, manifest: true, leaves: true } }),
    byHash: (hash) => db.release.findUnique({ where: { hash }, select: { signature: true, keyId: true } }),
    hashes: async () => (await db.release.findMany({ select: { hash: true } })).map((r) => r.hash),
    create: async (row) => {
      await db.release.create({ data: { ...row, leaves: Uint8Array.from(row.leaves) } });
    },
  };
}

export function draftData(db: Client): DraftStore {
  return {
    create: async (row) => {
      await db.releaseDraft.create({ data: { ...row, leaves: Uint8Array.from(row.leaves) } });
    },
    get: (id) => db.releaseDraft.findUnique({ where: { id } }),
    delete: async (id) => {
      await db.releaseDraft.delete({ where: { id } });
    },
    purgeExpired: async (now) => (await db.releaseDraft.deleteMany({ where: { expiresAt: { lt: now } } })).count,
  };
}

export function logData(db: Client): PublicationLogStore {
  return {
    read: () => db.publication.findMany({ orderBy: { logIndex: 'asc' } }),
    entry: (logIndex) => db.publication.findUnique({ where: { logIndex } }),
    lastIndex: async () => (await db.publication.findFirst({ orderBy: { logIndex: 'desc' }, select: { logIndex: true } }))?.logIndex ?? 0,
    append: async (row) => {
      await db.publication.create({ data: row });
    },
    versions: () => db.dataVersion.findMany({ orderBy: [{ year: 'asc' }, { version: 'asc' }] }),
    recordVersion: async (row) => {
      await db.dataVersion.create({ data: { ...row, reports: Uint8Array.from(row.reports), representatives: Uint8Array.from(row.representatives) } });
    },
  };
}

export function dpData(db: Client): DpLedgerStore {
  return {
    last: () => db.dpLedger.findFirst({ orderBy: { sequence: 'desc' } }),
    append: async (row) => {
      await db.dpLedger.create({ data: row });
    },
  };
}

export function featuredData(db: Client): FeaturedStore {
  return {
    get: async (slot) => (await db.featuredSeries.findUnique({ where: { slot } }))?.series ?? null,
    set: async (slot, series) => {
      await db.featuredSeries.upsert({ where: { slot }, create: { slot, series }, update: { series } });
    },
  };
}

export function secretData(db: Client): SecretStore {
  return {
    getOrCreate: async (name, fresh) => {
      await db.$executeRaw`INSERT INTO "ServerSecret" ("name", "value") VALUES (${name}, ${fresh}) ON CONFLICT ("name") DO NOTHING`;
      return (await db.serverSecret.findUnique({ where: { name } }))?.value ?? null;
    },
  };
}
