// The intake hot path on PostgreSQL, on a plain `pg` pool of its own rather than the ORM: the
// member-key lookup of http/auth.ts, the rate-window charge of http/rate-limit.ts, and the intake
// transaction, each one prepared statement, one round trip; a submission's charge and intake
// together are one call too (`submit` with a charge: migrations 0015–0016, the rules of intake-charge.ts).
// The intake transaction is one call of the stored function `contamos_submit_report` (migrations
// 0013, 0014) per submission, in the statement's own transaction. Its steps, in order, are those of
// db/intake.ts (run on SQLite's writer thread):
//   1. consume the request's nonce (a row in Nonce; an existing one → replayed_nonce);
//   2. re-check the member: missing or revoked → key_revoked (a revocation committed after the
//      signature was verified still wins);
//   3. idempotency: the id already stored by another member → report_id_taken (answered as a
//      report that does not exist); by this member with the same hash → not created (the nonce is
//      consumed); with another hash → report_conflict;
//   4. an amendment marks the member's own active report `superseded` (not active →
//      report_not_active; not among the member's → report_not_found);
//   5. insert the report, `active`.
// Guarantees: `submit` resolves only after the statement's transaction committed, as durable as
// the cluster's synchronous_commit makes it (on by default; nothing here lowers it). A refusal is
// raised inside the function, so its transaction rolls back and it writes nothing, not even the
// nonce. Two submissions of the same id racing on two connections or replicas: the loser's insert
// (or its amendment's update) waits for the winner's commit and the function answers it from the
// winner's row, in the loser's own transaction (migration 0014): the same report → not created,
// its nonce consumed, as when the two come in turn; another member's → report_id_taken, else
// report_conflict. No unique violation reaches the server, whose log would keep its DETAIL (the
// report id) with a timestamp. Any failure rejects with the driver's error (db/errors.ts
// classifies it); nothing of that submission is stored then.
// Reports land in the heap in arrival order, as any insert; db/mix-stored-order.ts mixes them (its
// table lock holds submissions back while it runs).
import pg from 'pg';
import { reportValues } from './intake.js';
import { chargedNonceBucket } from './rate-windows.js';
import type { RefusalCode, ReportRow } from './report-row.js';
import type { IntakeCharge, IntakeOutcome, LimitCode } from './store.js';

/** The SQLSTATE the intake function (migrations 0013–0014) raises its refusals with; the message is the code. */
export const REFUSAL_SQLSTATE = 'CT001';
const REFUSALS = new Set<string>([
  'replayed_nonce',
  'key_revoked',
  'report_id_taken',
  'report_conflict',
  'report_not_active',
  'report_not_found',
] satisfies RefusalCode[]);

const MEMBER_KEY = { name: 'contamos_member_key', text: 'SELECT "publicKey", "revoked" FROM "Member" WHERE "keyId" = $1' };
// Nothing is charged when the nonce is already in the table (a replay).
const CHARGE = {
  name: 'contamos_charge_rate_windows',
  // the charged nonce's bucket first ($4, rate-windows.ts); the windows only if it was new
  text: `WITH fresh AS (
      INSERT INTO "RateWindow" ("bucket", "count", "expiresAt")
      SELECT $4, 1, $5 WHERE NOT EXISTS (SELECT 1 FROM "Nonce" WHERE "hash" = $1)
      ON CONFLICT ("bucket") DO NOTHING RETURNING 1
    )
    INSERT INTO "RateWindow" ("bucket", "count", "expiresAt")
    SELECT v.b, 1, v.e FROM unnest($2::text[], $3::int[]) AS v(b, e)
    WHERE EXISTS (SELECT 1 FROM fresh)
    ON CONFLICT ("bucket") DO UPDATE SET "count" = "RateWindow"."count" + 1 RETURNING "bucket", "count"`,
};

const SUBMIT_CHARGED = {
  name: 'contamos_submit_charged',
  text: `SELECT contamos_submit_charged(${Array.from({ length: 23 }, (_, i) => `$${i + 1}`).join(', ')}) AS outcome`,
};
const LIMITS = new Set<string>(['rate_limited', 'daily_limit_reached'] satisfies LimitCode[]);
/** PostgreSQL's integer: a limit beyond it (none, in effect) is passed as its largest value. */
const INT_MAX = 2 ** 31 - 1;

const SUBMIT = {
  // a named statement: parsed once per connection, then only bound and executed
  name: 'contamos_submit_report',
  text: 'SELECT contamos_submit_report($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) AS created',
};

interface DriverError {
  code?: string;
  message?: string;
}

/**
 * Connections of the intake pool unless configured (CONTAMOS_PG_INTAKE_CONNECTIONS): on the 2-core
 * machine of docs/performance.md, 4–6 gave the most submissions per second; 10 or 20 fewer (more
 * database processes competing for the cores), 2 fewer too (less group commit).
 */
export const DEFAULT_INTAKE_CONNECTIONS = 4;

export class PgIntake {
  private readonly pool: pg.Pool;

  constructor(url: string, opts: { poolSize?: number } = {}) {
    this.pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? DEFAULT_INTAKE_CONNECTIONS, connectionTimeoutMillis: 3000 });
    // an idle connection that drops is replaced on the next query; nothing to do here
    this.pool.on('error', () => undefined);
  }

  /** A member's public key and revocation state, or null (http/auth.ts). */
  async memberKey(keyId: string): Promise<{ publicKey: string; revoked: boolean } | null> {
    return (await this.pool.query<{ publicKey: string; revoked: boolean }>({ ...MEMBER_KEY, values: [keyId] })).rows[0] ?? null;
  }

  /**
   * Adds one to each window's counter (created with its expiry if new) unless `nonceHash` was
   * already consumed: the counts after charging, or null for a replay, in one statement
   * (http/rate-limit.ts).
   */
  async chargeRateWindows(
    nonce: { hash: string; expiresAt: number },
    windows: Array<{ bucket: string; expiresAt: number }>,
  ): Promise<Map<string, number> | null> {
    const { rows } = await this.pool.query<{ bucket: string; count: number }>({
      ...CHARGE,
      values: [nonce.hash, windows.map((w) => w.bucket), windows.map((w) => w.expiresAt), chargedNonceBucket(nonce.hash), nonce.expiresAt],
    });
    return rows.length === 0 ? null : new Map(rows.map((r) => [r.bucket, Number(r.count)]));
  }

  /**
   * Consumes the nonce and writes the report (see header); resolves once the commit is done. With
   * `charge`, the rate windows are charged in the same call (migrations 0015–0016, the rules of
   * intake-charge.ts).
   */
  async submit(nonce: { hash: string; expiresAt: number }, row: ReportRow, charge?: IntakeCharge): Promise<IntakeOutcome> {
    if (charge) return this.submitCharged(nonce, row, charge);
    try {
      const r = await this.pool.query<{ created: boolean }>({ ...SUBMIT, values: [nonce.hash, nonce.expiresAt, ...reportValues(row)] });
      return { created: r.rows[0]!.created };
    } catch (e) {
      const err = e as DriverError;
      if (err.code === REFUSAL_SQLSTATE && REFUSALS.has(err.message ?? '')) return { error: err.message as RefusalCode };
      throw e;
    }
  }

  private async submitCharged(nonce: { hash: string; expiresAt: number }, row: ReportRow, charge: IntakeCharge): Promise<IntakeOutcome> {
    const { minute, day } = charge;
    const limit = (n: number) => Math.min(n, INT_MAX);
    const r = await this.pool.query<{ outcome: string }>({
      ...SUBMIT_CHARGED,
      values: [
        nonce.hash,
        nonce.expiresAt,
        ...reportValues(row),
        minute.bucket,
        minute.expiresAt,
        limit(minute.limit),
        day?.bucket ?? null,
        day?.expiresAt ?? null,
        day ? limit(day.limit) : null,
      ],
    });
    const outcome = r.rows[0]!.outcome;
    if (outcome === 'created' || outcome === 'stored') return { created: outcome === 'created' };
    if (REFUSALS.has(outcome)) return { error: outcome as RefusalCode };
    if (LIMITS.has(outcome)) return { error: outcome as LimitCode };
    throw new Error('The intake function answered an unknown outcome.');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
