// A stand-in for server/disclosure/lp-worker.mjs whose HiGHS module has failed: it says it is
// ready, then answers every piece of work with the error a WebAssembly abort gives
// (`String(new WebAssembly.RuntimeError(…))`), as the real worker's catch would.
import { workerData } from 'node:worker_threads';

const { port, flag } = workerData;
port.on('message', (msg) => {
  if (msg.type !== 'tasks' && msg.type !== 'batch') return;
  port.postMessage({ error: String(new WebAssembly.RuntimeError('Aborted(injected)')), seq: msg.seq });
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
port.postMessage({ type: 'ready' });
