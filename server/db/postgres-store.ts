// postgres-store.ts — the Store on PostgreSQL (the scale-out set-up: several replicas on one
// database). The queries of every submission — the member's key (authentication, once per
// process), and the rate-window charge with the intake itself — run on a plain `pg` pool as one
// prepared statement each (pg-intake.ts; charge and intake are one call of the stored function of
// migrations 0013–0015), in a
// thread of their own (pg-intake-client.ts), so the driver's work leaves the event loop; everything
// else goes through Prisma (prisma-store.ts) over the pg driver adapter. The stored order of
// reports and members is mixed on request (mix-stored-order.ts).
// Guarantees: those of store.ts, across replicas.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as PostgresClient } from './generated/postgres/client.js';
import type { Db } from './client.js';
import { mixStoredOrder } from './mix-stored-order.js';
import { PgIntakeThread } from './pg-intake-client.js';
import { DEFAULT_INTAKE_CONNECTIONS } from './pg-intake.js';
import { prismaStoreParts } from './prisma-store.js';
import { postgresRateWindows } from './rate-windows.js';
import type { Store } from './store.js';

/** The PostgreSQL Store, with its Prisma client exposed for tests and operations. */
export interface PostgresStore extends Store {
  prisma: Db;
  fast?: undefined;
}

/** `poolSize`: Prisma's connections (default 10); `intakeConnections`: the intake pool's (default 4, see pg-intake.ts). */
export function openPostgresStore(url: string, opts: { poolSize?: number; intakeConnections?: number } = {}): PostgresStore {
  const adapter = new PrismaPg({ connectionString: url, max: opts.poolSize ?? 10, connectionTimeoutMillis: 3000 });
  const prisma = new PostgresClient({ adapter }) as unknown as Db;
  const plain = new PgIntakeThread(url, { poolSize: opts.intakeConnections ?? DEFAULT_INTAKE_CONNECTIONS });
  const parts = prismaStoreParts(prisma, 'postgres');
  return {
    ...parts,
    provider: 'postgres',
    prisma,
    members: { ...parts.members, key: (keyId) => plain.memberKey(keyId) },
    intake: { submit: (nonce, row, charge) => plain.submit(nonce, row, charge) },
    rateWindows: postgresRateWindows(prisma, plain),
    mixStoredOrder: () => mixStoredOrder(prisma),
    close: async () => {
      await plain.close();
      await prisma.$disconnect();
    },
  };
}
