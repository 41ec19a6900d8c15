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

const { AuditEngine, buildLinkedTables, loadHighs, thresholdRules } = await import('../../server/disclosure/index.js');
const { helperCount } = await import('../../server/disclosure/lp-parallel.js');
const { isPrimary } = await import('../../server/disclosure/primary.js');
const { structureOf } = await import('../../server/disclosure/structure.js');
const { mulberry32 } = await import('../helpers/seeded-random.js');

describe.runIf(availableParallelism() > 1)('a helper that never starts', () => {
  it('is never counted, never sent a system or an LP, and the audit is the same as without helpers', async () => {
    const highs = await loadHighs();
    const rand = mulberry32(3);
    const codes = (d: string, n: number) => Array.from({ length: n }, (_, i) => `${d}${i}`);
    const domains = { a: codes('a', 10), b: codes('b', 8), c: codes('c', 5) };
    const counts = [];
    for (const a of domains.a) for (const b of domains.b) for (const c of domains.c) counts.push({ key: { a, b, c }, count: Math.floor(rand() * 12) });
    const lt = buildLinkedTables({ counts, domains, tables: [['a', 'b', 'c']] });
    const s = structureOf(lt.cells, lt.constraints);
    const suppressed = new Uint8Array(s.n);
    const sensitive = new Uint8Array(s.n);
    for (let i = 0; i < s.n; i++) {
      if (isPrimary(s.values[i]!, 5)) sensitive[i] = suppressed[i] = 1;
      else if (rand() < 0.45) suppressed[i] = 1;
    }
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
