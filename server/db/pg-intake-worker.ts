// The PostgreSQL intake thread: owns the plain `pg` pool of pg-intake.ts and runs its three
// queries (member key, rate-window charge, intake) for the main thread (pg-intake-client.ts), so
// the driver's protocol work and socket writes leave the event loop. Answers each request once its
// query has finished (the intake once its transaction committed), with the value or the driver's
// error reduced to its name, message and code (db/errors.ts classifies those; no value of the
// submission is in them: the intake function raises refusals by code only).
import { parentPort, workerData } from 'node:worker_threads';
import { PgIntake } from './pg-intake.js';

type Request = { seq: number; op: 'memberKey' | 'chargeRateWindows' | 'submit' | 'close'; args: unknown[] };

const intake = new PgIntake(workerData.url as string, { poolSize: workerData.poolSize as number | undefined });
const port = parentPort!;

port.on('message', (m: Request) => {
  if (m.op === 'close') {
    intake.close().finally(() => port.postMessage({ seq: m.seq, value: null }));
    return;
  }
  const run = (intake[m.op] as (...a: unknown[]) => Promise<unknown>).apply(intake, m.args);
  run.then(
    (value) => port.postMessage({ seq: m.seq, value }),
    (e: unknown) => {
      const err = e as { name?: string; message?: string; code?: unknown };
      port.postMessage({
        seq: m.seq,
        error: { name: err.name ?? 'Error', message: err.message ?? String(e), code: typeof err.code === 'string' ? err.code : undefined },
      });
    },
  );
});
port.postMessage({ ready: true });
