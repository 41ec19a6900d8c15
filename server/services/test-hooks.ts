// Test-only pause at a commit point, for fault tests that must SIGKILL the real server while a
// transaction is open (test/faults/kill-import-and-release.test.ts). Off unless the process was
// started with CONTAMOS_TEST_PAUSE_AT_COMMIT set to a file path (never in production: the switch
// is also ignored when NODE_ENV is `production`). When on, `commitPoint(name)` writes `name` to
// that file once the transaction's last write is done and waits CONTAMOS_TEST_PAUSE_MS (default
// 300) before the transaction commits, so a test can see the file and kill the process with the
// transaction still open.
// Guarantees: when the switch is off, `commitPoint` returns at once and does nothing.
import { writeFileSync } from 'node:fs';

export async function commitPoint(name: string): Promise<void> {
  const file = process.env.CONTAMOS_TEST_PAUSE_AT_COMMIT;
  if (!file || process.env.NODE_ENV === 'production') return;
  writeFileSync(file, name);
  await new Promise((r) => setTimeout(r, Number(process.env.CONTAMOS_TEST_PAUSE_MS ?? 300)));
}
