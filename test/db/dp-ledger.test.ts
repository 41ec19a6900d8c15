// The server's one DP budget ledger (services/dp-ledger.ts) on SQLite and PostgreSQL, below the
// HTTP layer: exact charges, the first charge fixing the total, and the race the ledger exists to
// win — two replicas (two connection pools on one database) computing drafts at the same moment
// cannot both spend the last of the budget, and the one refused stores nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type Tx } from '../../server/db/client.js';
import { migrate } from '../../server/db/migrate.js';
import type { DpBounds } from '../../server/dp/bounds.js';
import { AppError } from '../../server/errors.js';
import { isUnavailable } from '../../server/db/errors.js';
import { storeData } from '../../server/db/prisma-store.js';
import type { StoreTx } from '../../server/db/store.js';
import { chargeDpBudget, dpBudgetState, type DpAmount } from '../../server/services/dp-ledger.js';
import { createTestDatabase, providers, type TestDatabase } from '../helpers/databases.js';

/** `tx`, except that its first read of the ledger, once done, waits for `gate` before returning. */
function pausedAfterRead(tx: StoreTx, reached: () => void, gate: Promise<void>): StoreTx {
  const last = async () => {
    const r = await tx.dp.last();
    reached();
    await gate;
    return r;
  };
  return { ...tx, dp: { ...tx.dp, last } };
}

/** A marker row written in the same transaction as the charge, to see whether it was rolled back. */
const marker = (tx: Tx, name: string) => tx.nonce.create({ data: { hash: `marker-${name}`, expiresAt: 0 } });

describe.each(providers)('the server DP ledger (%s)', (provider) => {
  let testDb: TestDatabase;
  let a: Database;
  let b: Database;
  const bounds: DpBounds = { totalRho: '1', maxRho: '1' };

  beforeAll(async () => {
    testDb = await createTestDatabase(provider);
    await migrate(testDb.url);
    a = openDatabase(testDb.url);
    b = openDatabase(testDb.url); // a second replica: its own connections to the same database
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await testDb?.drop();
  });

  const charge = (db: Database, amount: DpAmount, bnds: DpBounds = bounds) => db.transaction((tx) => chargeDpBudget(tx, bnds, amount));

  it('charges exactly, epsilon as epsilon²/2, and chains each entry to the previous one', async () => {
    expect(await dpBudgetState(a)).toEqual({ sequence: 0, total: null, spent: '0' });
    expect(await charge(a, { rho: 0.1 })).toEqual({ scope: 'server', unit: 'rho', total: '1', spentBefore: '0', spentAfter: '0.1', charged: '0.1' });
    expect(await charge(b, { rho: '0.2' })).toMatchObject({ spentBefore: '0.1', spentAfter: '0.3', charged: '0.2' }); // not 0.30000000000000004
    expect(await charge(a, { epsilon: '0.2' })).toMatchObject({ spentBefore: '0.3', spentAfter: '0.32', charged: '0.02' });
    expect(await charge(b, { rho: '1/3' })).toMatchObject({ spentBefore: '0.32', spentAfter: '49/75', charged: '1/3' });
    const rows = await a.prisma.dpLedger.findMany({ orderBy: { sequence: 'asc' } });
    expect(rows.map((r) => r.sequence)).toEqual([1, 2, 3, 4]);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.spentBefore).toBe(rows[i - 1]!.spentAfter);
  });

  it('the first charge fixes the total; bounds are checked against the exact charge', async () => {
    await expect(charge(a, { rho: '0.01' }, { totalRho: '2', maxRho: '1' })).rejects.toMatchObject({ code: 'budget_fixed' });
    await expect(charge(a, { rho: '0.01' }, { totalRho: '1/1', maxRho: '0.001' })).rejects.toMatchObject({ code: 'budget_over_release_limit' });
    await expect(charge(a, { epsilon: '0.6' }, { totalRho: '1', maxRho: '0.17' })).rejects.toMatchObject({ code: 'budget_over_release_limit' }); // 0.18 > 0.17
    await expect(charge(a, { rho: '0.4' })).rejects.toMatchObject({ code: 'budget_exceeded' }); // 49/75 + 30/75 > 1
    expect((await dpBudgetState(a)).sequence).toBe(4);
    // exactly the rest fits: 1 − 49/75 = 26/75
    expect(await charge(a, { rho: '26/75' })).toMatchObject({ spentAfter: '1' });
    await expect(charge(b, { rho: '0.000001' })).rejects.toMatchObject({ code: 'budget_exceeded' });
  });

  it('two replicas computing drafts at once cannot both spend the last of the budget', async () => {
    // a fresh database for the race: 0.6 spent, 0.4 left, and each replica asks for 0.3
    const db = await createTestDatabase(provider);
    await migrate(db.url);
    const r1 = openDatabase(db.url);
    const r2 = openDatabase(db.url);
    try {
      await r1.prisma.$transaction((tx) => chargeDpBudget(storeData(tx), bounds, { rho: '0.6' }));
      let arrived = 0;
      let open!: () => void;
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      const reached = () => {
        if (++arrived === 2) open();
      };
      // each transaction reads the ledger, waits until the other has read it too (both saw 0.6
      // spent), then appends its charge. It also writes a marker row: on PostgreSQL before the
      // charge (to see the loser's earlier writes rolled back); on SQLite after it, because there
      // a first write takes the database's single write lock and the other transaction could not
      // even reach the ledger.
      const attempt = (r: Database, name: string) =>
        r.prisma.$transaction(
          async (tx) => {
            if (provider === 'postgres') await marker(tx, name);
            const entry = await chargeDpBudget(pausedAfterRead(storeData(tx), reached, gate), bounds, { rho: '0.3' });
            if (provider === 'sqlite') await marker(tx, name);
            return entry;
          },
          { timeout: 20_000 },
        );
      // SQLite: one writer at a time. If this adapter lets the second transaction wait for the
      // first (instead of interleaving them), only one reaches the gate: open it after a while.
      const fallback = setTimeout(() => open(), 3000);
      const results = await Promise.allSettled([attempt(r1, 'one'), attempt(r2, 'two')]);
      clearTimeout(fallback);
      const won = results.filter((x) => x.status === 'fulfilled');
      const lost = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const e = lost[0]!.reason;
      if (e instanceof AppError) expect(['budget_conflict', 'budget_exceeded']).toContain(e.code);
      else expect(isUnavailable(e), String(e)).toBe(true); // SQLite's busy writer: a 503, retryable
      if (provider === 'postgres') expect(e).toMatchObject({ code: 'budget_conflict' });
      // one charge in the ledger, and the loser's transaction left nothing behind
      const rows = await r1.prisma.dpLedger.findMany({ orderBy: { sequence: 'asc' } });
      expect(rows.map((r) => [r.spentBefore, r.spentAfter])).toEqual([
        ['0', '0.6'],
        ['0.6', '0.9'],
      ]);
      expect(await r1.prisma.nonce.count({ where: { hash: { startsWith: 'marker-' } } })).toBe(1);
      // asked again, the loser sees the winner's spending and is refused: 0.9 + 0.3 > 1
      await expect(r2.prisma.$transaction((tx) => chargeDpBudget(storeData(tx), bounds, { rho: '0.3' }))).rejects.toMatchObject({ code: 'budget_exceeded' });
    } finally {
      await r1.close();
      await r2.close();
      await db.drop();
    }
  }, 60_000);

  it('a burst of drafts on two replicas never spends more than the total, and the chain has no gap', async () => {
    const db = await createTestDatabase(provider);
    await migrate(db.url);
    const r1 = openDatabase(db.url);
    const r2 = openDatabase(db.url);
    try {
      const tries = Array.from({ length: 8 }, (_, i) => (i % 2 ? r2 : r1).prisma.$transaction((tx) => chargeDpBudget(storeData(tx), bounds, { rho: '0.3' })));
      const results = await Promise.allSettled(tries);
      const won = results.filter((x) => x.status === 'fulfilled').length;
      expect(won).toBeGreaterThanOrEqual(1);
      expect(won).toBeLessThanOrEqual(3); // 3 × 0.3 ≤ 1 < 4 × 0.3
      const rows = await r1.prisma.dpLedger.findMany({ orderBy: { sequence: 'asc' } });
      expect(rows).toHaveLength(won);
      rows.forEach((r, i) => {
        expect(r.sequence).toBe(i + 1);
        expect(r.spentBefore).toBe(i === 0 ? '0' : rows[i - 1]!.spentAfter);
      });
      for (const x of results) {
        if (x.status === 'rejected') {
          const e = x.reason;
          if (e instanceof AppError) expect(['budget_conflict', 'budget_exceeded']).toContain(e.code);
          else expect(isUnavailable(e), String(e)).toBe(true);
        }
      }
    } finally {
      await r1.close();
      await r2.close();
      await db.drop();
    }
  }, 60_000);
});
