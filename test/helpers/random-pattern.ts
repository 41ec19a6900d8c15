// A 3-way table with all its margins, random counts 0..11 (or as `count` draws them) and a random
// suppression pattern (every count in 1..4 hidden as primary, each other cell hidden with
// probability `share`): one large component for the audit engine's tests. Seeded, so each test
// sees the same table every run.
import { buildLinkedTables } from '../../server/tables/linked-tables.js';
import { isPrimary } from '../../server/disclosure/primary.js';
import { structureOf } from '../../server/disclosure/structure.js';
import { mulberry32 } from './seeded-random.js';

export function randomPattern(
  seed: number,
  [na, nb, nc]: readonly [number, number, number],
  share: number,
  count: (rand: () => number) => number = (rand) => Math.floor(rand() * 12),
) {
  const rand = mulberry32(seed);
  const codes = (d: string, n: number) => Array.from({ length: n }, (_, i) => `${d}${i}`);
  const domains = { a: codes('a', na), b: codes('b', nb), c: codes('c', nc) };
  const counts = [];
  for (const a of domains.a) for (const b of domains.b) for (const c of domains.c) counts.push({ key: { a, b, c }, count: count(rand) });
  const lt = buildLinkedTables({ counts, domains, tables: [['a', 'b', 'c']] });
  const s = structureOf(lt.cells, lt.constraints);
  const suppressed = new Uint8Array(s.n);
  const sensitive = new Uint8Array(s.n);
  for (let i = 0; i < s.n; i++) {
    if (isPrimary(s.values[i]!, 5)) sensitive[i] = suppressed[i] = 1;
    else if (rand() < share) suppressed[i] = 1;
  }
  return { s, suppressed, sensitive };
}
