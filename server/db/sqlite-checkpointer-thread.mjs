// The SQLite checkpointer thread: copies committed WAL frames into the database file on a
// connection of its own, so the writer thread never stops accepting submissions to do it.
// (Why, and what was measured: docs/performance.md.) Plain JavaScript: it needs nothing but better-sqlite3.
// Guarantees: checkpoints are PASSIVE, so they never block the writer or a reader and never
// touch a frame that is not committed; with synchronous=FULL the database file is fsynced before
// the WAL may be reused, so durability is the WAL's (an acknowledged report is in the WAL, fsynced,
// whatever this thread does). It stops on { op: 'close' } after finishing the checkpoint it is in.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const { file, intervalMs } = workerData;
const db = new Database(file, { timeout: 5000 });
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 0');

const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy or I/O trouble: the next tick tries again; the writer's own safety-net checkpoint
    // (sqlite-report-batch.ts) bounds the WAL if this thread keeps failing
  }
};
const timer = setInterval(checkpoint, intervalMs);

parentPort.on('message', (m) => {
  if (m?.op !== 'close') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage({ closed: true });
});
parentPort.postMessage({ ready: true });
