// prisma-store.ts — what both Stores share over their Prisma client: the data of store.ts's
// `StoreData` (prisma-data.ts, prisma-release-data.ts), transactions, the consumption of a signed
// request's nonce, nonce look-ups and purging, and the health check.
// Guarantees: `consumeNonce` is the one function that consumes a nonce through Prisma (`signed`
// and the PostgreSQL intake), with intake.ts's statement, which the SQLite writer prepares too;
// `signed` consumes it as the transaction's first write (a replay: AppError `replayed_nonce`, nothing written); an error thrown by the work rolls
// the whole transaction back, the nonce included.
import { AppError } from '../errors.js';
import type { Db, Tx } from './client.js';
import { INTAKE_SQL, numbered } from './intake.js';
import { conflictData, inviteData, memberData, reportData } from './prisma-data.js';
import { dpData, draftData, featuredData, logData, releaseData, secretData } from './prisma-release-data.js';
import type { NonceRow, NonceStore, Provider, Store, StoreData, StoreTx } from './store.js';

type Client = Db | Tx;

export function storeData(db: Client): StoreData {
  return {
    members: memberData(db),
    invites: inviteData(db),
    reports: reportData(db),
    conflicts: conflictData(db),
    releases: releaseData(db),
    drafts: draftData(db),
    log: logData(db),
    dp: dpData(db),
    featured: featuredData(db),
    secrets: secretData(db),
  };
}

/** One of intake.ts's statements through Prisma, with the provider's placeholders. */
export function execute(db: Pick<Client, '$executeRawUnsafe'>, provider: Provider, sql: string, ...args: unknown[]): Promise<number> {
  return db.$executeRawUnsafe(provider === 'postgres' ? numbered(sql) : sql, ...args);
}

/** Consumes a nonce (intake.ts's statement); false when it was consumed already. */
export async function consumeNonce(db: Pick<Client, '$executeRawUnsafe'>, provider: Provider, nonce: NonceRow): Promise<boolean> {
  return (await execute(db, provider, INTAKE_SQL.consumeNonce, nonce.hash, nonce.expiresAt)) === 1;
}

/** The parts of a Store both providers implement the same way over Prisma. */
export function prismaStoreParts(prisma: Db, provider: Provider): StoreData & Pick<Store, 'signed' | 'transaction' | 'ping'> & { nonces: NonceStore } {
  const transaction = <T>(work: (tx: StoreTx) => Promise<T>): Promise<T> => prisma.$transaction((tx) => work(storeData(tx)));
  return {
    ...storeData(prisma),
    transaction,
    signed: (nonce, work) =>
      prisma.$transaction(async (tx) => {
        if (!(await consumeNonce(tx, provider, nonce))) throw new AppError('replayed_nonce');
        return work(storeData(tx));
      }),
    nonces: {
      seen: async (hash) => (await prisma.nonce.findUnique({ where: { hash }, select: { hash: true } })) !== null,
      purgeExpired: async (now) => (await prisma.nonce.deleteMany({ where: { expiresAt: { lt: now } } })).count,
    },
    ping: async () => {
      await prisma.$queryRawUnsafe('SELECT 1');
    },
  };
}
