// intake-charge.ts — how a submission is charged to its credential's rate windows (http/rate-limit.ts
// names them), for every Store. PostgreSQL applies the same rules inside its intake function
// (migrations 0015, 0016), so a charged submission is one round trip there; SQLite, whose windows are in
// memory, runs `submitCharged` below. test/db/store-contract.test.ts runs the rules on both.
// Rules, in order:
//   1. a nonce consumed already (a replay), or charged already (a copy of a request refused after
//      its charge, which consumed no nonce: rate-windows.ts; migration 0019 on PostgreSQL), is
//      refused as `replayed_nonce` and charges nothing; so
//      is, in `submitCharged`, a nonce whose submission is still in flight in this process (a
//      copy sent at once with its original: the windows in memory would not see the nonce until
//      the original commits, and copies beyond the minute would keep their points — rule 3). On
//      PostgreSQL such copies wait on the original's lock of the minute's row instead, and then
//      see its nonce;
//   2. the minute window, and the day window if given, are charged one each;
//   3. beyond the minute's limit: `rate_limited`; else beyond the day's limit:
//      `daily_limit_reached`; either way the minute's point stays spent and the day's is given
//      back — the day counts new reports and submissions in flight, never refusals, so a burst's
//      refusals (which counted the others in flight) cannot hold the day shut once those gave
//      their points back (migration 0016; test/adversarial/redteam-intake-charge.test.ts);
//   4. otherwise the intake runs (intake.ts). A refusal as `replayed_nonce` (a replay that raced
//      its original) gives the minute's point back; any outcome other than a new report (the same
//      report again, a refusal) gives the day's point back: the day bounds new reports;
//   5. a failure (nothing stored: the database refused or could not answer) gives both back (on
//      PostgreSQL the whole call rolls back).
// A window's count never goes below zero.
import type { IntakeCharge, IntakeOutcome, NonceRow, RateWindowStore } from './store.js';
import type { ReportRow, WriteOutcome } from './report-row.js';

/** The nonce hashes of charged submissions not yet answered, in one process (rule 1). */
export type InFlight = Set<string>;

/** Charges `charge`'s windows in `windows`, then runs `submit`, by the rules above; `inFlight` is the process's, shared by its calls. */
export async function submitCharged(
  windows: RateWindowStore,
  inFlight: InFlight,
  submit: (nonce: NonceRow, row: ReportRow) => Promise<WriteOutcome>,
  nonce: NonceRow,
  row: ReportRow,
  charge: IntakeCharge,
): Promise<IntakeOutcome> {
  if (inFlight.has(nonce.hash)) return { error: 'replayed_nonce' };
  inFlight.add(nonce.hash);
  try {
    return await chargeAndSubmit(windows, submit, nonce, row, charge);
  } finally {
    inFlight.delete(nonce.hash);
  }
}

async function chargeAndSubmit(
  windows: RateWindowStore,
  submit: (nonce: NonceRow, row: ReportRow) => Promise<WriteOutcome>,
  nonce: NonceRow,
  row: ReportRow,
  charge: IntakeCharge,
): Promise<IntakeOutcome> {
  const { minute, day } = charge;
  const counts = await windows.charge(nonce, day ? [minute, day] : [minute]);
  if (counts === null) return { error: 'replayed_nonce' };
  const overMinute = (counts.get(minute.bucket) ?? 0) > minute.limit;
  const overDay = day !== undefined && (counts.get(day.bucket) ?? 0) > day.limit;
  if (overMinute || overDay) {
    if (day) await windows.refund(day.bucket);
    return { error: overMinute ? 'rate_limited' : 'daily_limit_reached' };
  }
  let outcome: WriteOutcome;
  try {
    outcome = await submit(nonce, row);
  } catch (e) {
    await windows.refund(minute.bucket);
    if (day) await windows.refund(day.bucket);
    throw e;
  }
  if ('error' in outcome && outcome.error === 'replayed_nonce') await windows.refund(minute.bucket);
  if (day && !('created' in outcome && outcome.created)) await windows.refund(day.bucket);
  return outcome;
}
