// Test-only switches. First, a pause at a commit point, for fault tests that must SIGKILL the real server while a
// transaction is open (test/faults/kill-import-and-release.test.ts, and the SQLite writer
// thread in test/durability/kill-during-submissions.test.ts). Off unless the process was
// started with CONTAMOS_TEST_PAUSE_AT_COMMIT set to a file path (never in production: the switch
// is also ignored when NODE_ENV is `production`). When on, `commitPoint(name)` writes `name` to
// that file once the transaction's last write is done and waits CONTAMOS_TEST_PAUSE_MS (default
// 300) before the transaction commits, so a test can see the file and kill the process with the
// transaction still open.
// `commitPointSync` is the same for synchronous transactions (the SQLite writer thread's): it
// blocks its thread for the pause.
// Guarantees: when the switch is off, both return at once and do nothing.
// Second, a tally of the release service's expensive steps (below).
import { writeFileSync } from 'node:fs';

function pauseMs(): number | null {
  const file = process.env.CONTAMOS_TEST_PAUSE_AT_COMMIT;
  if (!file || process.env.NODE_ENV === 'production') return null;
  return Number(process.env.CONTAMOS_TEST_PAUSE_MS ?? 300);
}

export async function commitPoint(name: string): Promise<void> {
  const ms = pauseMs();
  if (ms === null) return;
  writeFileSync(process.env.CONTAMOS_TEST_PAUSE_AT_COMMIT!, name);
  await new Promise((r) => setTimeout(r, ms));
}

export function commitPointSync(name: string): void {
  const ms = pauseMs();
  if (ms === null) return;
  writeFileSync(process.env.CONTAMOS_TEST_PAUSE_AT_COMMIT!, name);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// The tally of the release service's expensive steps: counting the data ('count') and the
// disclosure engine's linear programs ('lp': protection against the log, DP post-processing), so
// adversarial tests can prove that a refused request did none of them
// (test/adversarial/refuse-before-computing.test.ts). Off unless CONTAMOS_TEST_TALLY_WORK is set
// (and ignored when NODE_ENV is `production`): `workPoint` then returns at once and counts nothing.
export type Work = 'count' | 'lp';
const tallies: Record<Work, number> = { count: 0, lp: 0 };

function tallyOn(): boolean {
  return Boolean(process.env.CONTAMOS_TEST_TALLY_WORK) && process.env.NODE_ENV !== 'production';
}

/** Marks the start of an expensive step (counted only under the test-only switch). */
export function workPoint(kind: Work): void {
  if (tallyOn()) tallies[kind]++;
}

/** How many times each step started since the last reset (all 0 when the switch is off). */
export function workTally(): Readonly<Record<Work, number>> {
  return { ...tallies };
}

export function resetWorkTally(): void {
  tallies.count = 0;
  tallies.lp = 0;
}
