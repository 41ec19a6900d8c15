// postgres-intake.ts — the PostgreSQL Store's intake: `submit(nonce, row)`, the one function the
// store calls. It runs intake.ts's steps with intake.ts's statements in one Prisma interactive
// transaction (one round trip per step). Outcomes are those of every Store (store.ts, header).
// Guarantees: all or nothing per submission; a refusal rolls back (nonce included); two
// submissions of one id racing on two replicas: the loser's transaction fails on the primary key
// and is answered as if it had come second (the same report: `{ created: false }`; another report
// of the same member: `report_conflict`; another member's: `report_id_taken`), and a nonce raced
// the same way is `replayed_nonce` (its insert waits for the other one, then inserts nothing).
import type { Db } from './client.js';
import { isUniqueViolation } from './errors.js';
import { INTAKE_SQL, IntakeRefusal, numbered, reportValues, runIntakeAsync, type IntakeOps } from './intake.js';
import { consumeNonce } from './prisma-store.js';
import type { ReportRow, WriteOutcome } from './report-row.js';
import type { NonceRow } from './store.js';

const SQL = Object.fromEntries(Object.entries(INTAKE_SQL).map(([op, sql]) => [op, numbered(sql)])) as typeof INTAKE_SQL;

export function postgresIntake(prisma: Db): (nonce: NonceRow, row: ReportRow) => Promise<WriteOutcome> {
  const steps = (tx: Pick<Db, '$executeRawUnsafe' | '$queryRawUnsafe'>): IntakeOps<'async'> => ({
    consumeNonce: (n) => consumeNonce(tx, 'postgres', n),
    memberRevoked: async (keyId) => (await tx.$queryRawUnsafe<Array<{ revoked: boolean }>>(SQL.memberRevoked, keyId))[0]?.revoked ?? null,
    existing: async (id) => (await tx.$queryRawUnsafe<Array<{ memberKeyId: string; reportHash: string }>>(SQL.existing, id))[0] ?? null,
    supersede: async (id, keyId) => (await tx.$executeRawUnsafe(SQL.supersede, id, keyId)) === 1,
    ownReportExists: async (id, keyId) => (await tx.$queryRawUnsafe<unknown[]>(SQL.ownReportExists, id, keyId)).length > 0,
    insert: async (row) => { await tx.$executeRawUnsafe(SQL.insert, ...reportValues(row)); },
  });
  return async function submit(nonce, row) {
    try {
      return await prisma.$transaction((tx) => runIntakeAsync(steps(tx), nonce, row));
    } catch (e) {
      if (e instanceof IntakeRefusal) return { error: e.code };
      if (!isUniqueViolation(e)) throw e;
      // Lost a race (see header): the winner's row decides, as if this submission came second.
      // (A raced nonce never gets here: its insert waits for the other and then does nothing.)
      const winner = (await prisma.$queryRawUnsafe<Array<{ memberKeyId: string; reportHash: string }>>(SQL.existing, row.id))[0];
      if (winner && winner.memberKeyId !== row.memberKeyId) return { error: 'report_id_taken' };
      return winner?.reportHash === row.reportHash ? { created: false } : { error: 'report_conflict' };
    }
  };
}
