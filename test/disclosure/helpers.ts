// Independent reference for the disclosure tests: the attacker LP written directly as ONE CPLEX LP
// string over ALL cells (published cells fixed by their bounds, suppressed cells ≥ 0, every
// additive constraint), solved by HiGHS's one-shot `solve` — no component splitting, no presolve
// of our own, no pools, no shortcuts. Nothing here is imported by server/disclosure.
import fc from 'fast-check';

interface LegacyHighs {
  solve(problem: string, options?: Record<string, unknown>): { Status: string; Columns: Record<string, { Primal: number }> };
}
let highs: Promise<LegacyHighs> | undefined;
export function referenceHighs(): Promise<LegacyHighs> {
  highs ??= (async () => {
    const mod = (await import('highs')) as unknown as { default: unknown };
    let loader = mod.default;
    if (typeof loader !== 'function') loader = (loader as { default: unknown }).default;
    return (loader as () => Promise<LegacyHighs>)();
  })();
  return highs;
}

export interface PlainCell {
  id: number;
  value: number;
}
export interface PlainConstraint {
  total: number;
  parts: number[];
}

/** [lo, hi] of cell p by two full LPs, rounded (lo up, hi down, 1e-6); hi = Infinity when unbounded. */
export async function referenceInterval(
  cells: readonly PlainCell[],
  constraints: readonly PlainConstraint[],
  suppressed: ReadonlySet<number>,
  p: number,
): Promise<[number, number]> {
  const h = await referenceHighs();
  const rows = constraints.map((c, j) => ` c${j}: x${c.total}${c.parts.map((q) => ` - x${q}`).join('')} = 0`);
  if (rows.length === 0) rows.push(` c0: x${p} >= 0`);
  const bounds = cells.map((c) => (suppressed.has(c.id) ? ` x${c.id} >= 0` : ` x${c.id} = ${c.value}`));
  const out: number[] = [];
  for (const sense of ['Minimize', 'Maximize']) {
    const lp = `${sense}\n obj: x${p}\nSubject To\n${rows.join('\n')}\nBounds\n${bounds.join('\n')}\nEnd\n`;
    const r = h.solve(lp, { output_flag: false });
    if (r.Status === 'Unbounded') out.push(sense === 'Maximize' ? Infinity : -Infinity);
    else if (r.Status === 'Optimal') out.push(r.Columns[`x${p}`]!.Primal);
    else throw new Error(`reference LP: ${r.Status}`);
  }
  const lo = Math.max(0, Math.ceil(out[0]! - 1e-6));
  const hi = out[1] === Infinity ? Infinity : Math.floor(out[1]! + 1e-6);
  return [lo, hi];
}

export interface SmallRelease {
  counts: Array<{ key: Record<string, string>; count: number }>;
  domains: Record<string, string[]>;
  tables: string[][];
  hierarchies: Record<string, Record<string, string[]>>;
  k: number;
}

/** Random small releases: 1–3 dimensions of 2–4 codes, many small counts, k 2..6, linked sets. */
export function smallRelease(opts: { maxDims?: number } = {}): fc.Arbitrary<SmallRelease> {
  return fc
    .record({
      nd: fc.integer({ min: 1, max: opts.maxDims ?? 3 }),
      sizes: fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 3, maxLength: 3 }),
      hierarchy: fc.boolean(),
      linked: fc.integer({ min: 0, max: 2 }),
      k: fc.integer({ min: 2, max: 6 }),
      seedValues: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 20 })), { minLength: 64, maxLength: 64 }),
    })
    .map(({ nd, sizes, hierarchy, linked, k, seedValues }) => {
      const dims = ['a', 'b', 'c'].slice(0, nd);
      const domains: Record<string, string[]> = {};
      dims.forEach((d, i) => (domains[d] = Array.from({ length: sizes[i]! }, (_, j) => `${d}${j}`)));
      const hierarchies: Record<string, Record<string, string[]>> = {};
      if (hierarchy && domains.a!.length >= 3) hierarchies.a = { g: domains.a!.slice(0, 2) };
      let tables: string[][] = [dims];
      if (nd === 2 && linked === 1) tables = [['a'], ['a', 'b']];
      if (nd === 2 && linked === 2) tables = [['a', 'b'], ['b']];
      if (nd === 3 && linked === 1)
        tables = [
          ['a', 'b'],
          ['a', 'c'],
        ];
      if (nd === 3 && linked === 2)
        tables = [
          ['a', 'b'],
          ['b', 'c'],
          ['a', 'c'],
        ];
      const counts: SmallRelease['counts'] = [];
      let i = 0;
      const rec = (d: number, key: Record<string, string>): void => {
        if (d === dims.length) {
          const v = seedValues[i++ % seedValues.length]!;
          if (v > 0) counts.push({ key: { ...key }, count: v });
          return;
        }
        for (const code of domains[dims[d]!]!) {
          key[dims[d]!] = code;
          rec(d + 1, key);
        }
      };
      rec(0, {});
      return { counts, domains, tables, hierarchies, k };
    });
}
