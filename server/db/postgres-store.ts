// postgres-store.ts — the Store on PostgreSQL (the scale-out set-up: several replicas on one
// database). Everything goes through Prisma (prisma-store.ts) over the pg driver adapter; the
// intake is one function (postgres-intake.ts), the rate windows one statement per request
// (rate-windows.ts), and the stored order of reports and members is mixed on request
// (mix-stored-order.ts). Guarantees: those of store.ts, across replicas.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as PostgresClient } from './generated/postgres/client.js';
import type { Db } from './client.js';
import { mixStoredOrder } from './mix-stored-order.js';
import { postgresIntake } from './postgres-intake.js';
import { prismaStoreParts } from './prisma-store.js';
import { postgresRateWindows } from './rate-windows.js';
import type { Store } from './store.js';

/** The PostgreSQL Store, with its Prisma client exposed for tests and operations. */
export interface PostgresStore extends Store { prisma: Db; fast?: undefined }

export function openPostgresStore(url: string, opts: { poolSize?: number } = {}): PostgresStore {
  const adapter = new PrismaPg({ connectionString: url, max: opts.poolSize ?? 10, connectionTimeoutMillis: 3000 });
  const prisma = new PostgresClient({ adapter }) as unknown as Db;
  return {
    ...prismaStoreParts(prisma, 'postgres'),
    provider: 'postgres',
    prisma,
    intake: { submit: postgresIntake(prisma) },
    rateWindows: postgresRateWindows(prisma),
    mixStoredOrder: () => mixStoredOrder(prisma),
    close: () => prisma.$disconnect(),
  };
}
