// lp-parallel.ts: a helper thread is given work only once it has said it is ready. Here every
// worker is one that never starts (it never answers, as when lp-worker.mjs cannot be loaded): the
// audit must not send it anything — before this rule, the first audit that shared its LPs sent
// them and then waited two minutes for an answer that never came.
import { availableParallelism } from 'node:os';
import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';

const ports: MessagePort[] = [];
vi.mock('node:worker_threads', async (original) => {
  const real = await original<typeof import('node:worker_threads')>();
  /** A worker that never loads: keeps its port, says nothing. */
  class NeverStarts {
    constructor(_url: URL, options: { workerData: { port: MessagePort } }) {
      ports.push(options.workerData.port);
    }
    unref(): void {}
    on(): this {
      return this;
    }
  }
  return { ...real, Worker: NeverStarts };
});

const { AuditEngine, loadHighs, thresholdRules } = await import('../../server/disclosure/index.js');
const { helperCount } = await import('../../server/disclosure/lp-parallel.js');
const { randomPattern } = await import('../helpers/random-pattern.js');

describe.runIf(availableParallelism() > 1)('a helper that never starts', () => {
  it('is never counted, never sent a system or an LP, and the audit is the same as without helpers', async () => {
    const highs = await loadHighs();
    const { s, suppressed, sensitive } = randomPattern(3, [10, 8, 5], 0.45);
    const rules = thresholdRules(s.n, sensitive, 5, 5);
    const exact = new AuditEngine(highs, s, rules).run(suppressed, 'exact');
    AuditEngine.judgeBatchIterations = 1;
    AuditEngine.parallelMinClasses = 16; // share even on this small table
    const engine = new AuditEngine(highs, s, rules);
    const judge = engine.run(suppressed, 'judge');
    expect(ports.length).toBeGreaterThan(0); // the pool did try to start its helpers
    expect(helperCount()).toBe(0);
    expect(engine.helperSolves).toBe(0);
    for (const port of ports) expect(receiveMessageOnPort(port)).toBeUndefined(); // nothing was sent to them
    for (let i = 0; i < s.n; i++) if (suppressed[i]) expect(judge.ok[i]).toBe(exact.ok[i]);
  }, 200_000);
});
