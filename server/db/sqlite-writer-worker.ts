// The SQLite writer thread: owns the connection that writes reports, so the commits and their
// fsyncs (synchronous=FULL) never block the event loop that parses and answers requests.
// Protocol (parentPort): { op: 'submit', seq, nonce, row } → { seq, ok } | { seq, error };
// { op: 'pragma', seq, sql } → { seq, value } | { seq, error } (fault-injection tests only);
// { op: 'close', seq } → writes what is queued, closes the connection, then { seq, value: true }.
// Guarantees: submissions that arrive while a commit is running are written together in the next
// batch (group commit); a submission is answered only after the commit that holds it is durable
// (nothing is signed here: the receipt is signed by services/reports.ts); an error is sent as
// { name, message, code } (no row data, no request data).
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteReportBatch, type BatchResult, type Submission } from './sqlite-report-batch.js';

interface SubmitMsg extends Submission {
  op: 'submit';
  seq: number;
}
interface PragmaMsg {
  op: 'pragma';
  seq: number;
  sql: string;
}
interface CloseMsg {
  op: 'close';
  seq: number;
}

export function serialisedError(e: unknown): { name: string; message: string; code?: string } {
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as { code?: unknown }).code;
  return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
}

const port = parentPort!;
const store = new SqliteReportBatch((workerData as { file: string }).file);
let queue: SubmitMsg[] = [];
let scheduled = false;

function answer(m: SubmitMsg, r: BatchResult): void {
  if (!('ok' in r)) return port.postMessage({ seq: m.seq, error: serialisedError(r.failed) });
  port.postMessage({ seq: m.seq, ok: r.ok });
}

function flush(): void {
  const batch = queue;
  queue = [];
  scheduled = false;
  if (batch.length === 0) return; // already written by a close
  let results: BatchResult[];
  try {
    results = store.writeBatch(batch);
  } catch (e) {
    const error = serialisedError(e);
    for (const m of batch) port.postMessage({ seq: m.seq, error });
    return;
  }
  batch.forEach((m, i) => answer(m, results[i]!));
}

let closed = false;

port.on('message', (m: SubmitMsg | PragmaMsg | CloseMsg) => {
  if (closed) {
    // Anything sent after close is refused as "unavailable" (503), never half-done.
    port.postMessage({ seq: m.seq, error: { name: 'SqliteError', message: 'SQLITE_CANTOPEN: the database is closed', code: 'SQLITE_CANTOPEN' } });
    return;
  }
  if (m.op === 'close') {
    if (queue.length > 0) flush();
    store.close();
    closed = true;
    port.postMessage({ seq: m.seq, value: true });
    return;
  }
  if (m.op === 'pragma') {
    try {
      port.postMessage({ seq: m.seq, value: store.db.pragma(m.sql, { simple: true }) });
    } catch (e) {
      port.postMessage({ seq: m.seq, error: serialisedError(e) });
    }
    return;
  }
  queue.push(m);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
});
port.postMessage({ ready: true });
