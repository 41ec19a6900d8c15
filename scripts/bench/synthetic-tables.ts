// synthetic-tables.ts — the deterministic synthetic data the release benchmarks share
// (scripts/bench/suppression.ts, scripts/bench/dp.ts): counts shaped like a Contamos release —
// year × region with a 3-level region hierarchy × incident type × victim gender / age band /
// nationality × perpetrator type — from a seeded PRNG (mulberry32), so runs are comparable.
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const codes = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(2, '0')}`);
export const regions = codes('PE-', 26);
export const baseDomains: Record<string, string[]> = {
  region: regions,
  incidentType: codes('type', 11),
  victimGender: codes('g', 5),
  victimAgeBand: codes('age', 6),
  perpetratorType: codes('perp', 7),
  victimNationality: codes('nat', 6),
};
// 3-level hierarchy: total → 5 macro-regions → 26 regions.
export const hierarchies = {
  region: {
    norte: regions.slice(0, 6),
    centro: regions.slice(6, 12),
    sur: regions.slice(12, 17),
    oriente: regions.slice(17, 21),
    lima: regions.slice(21, 26),
  },
};

/** Skewed categorical draw: weight of the i-th code ∝ 1/(i+1)^s. */
export function zipf(rand: () => number, n: number, s: number): () => number {
  const w = Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));
  const total = w.reduce((a, b) => a + b, 0);
  const cum: number[] = [];
  let acc = 0;
  for (const x of w) cum.push((acc += x / total));
  return () => {
    const u = rand();
    const i = cum.findIndex((c) => u <= c);
    return i < 0 ? n - 1 : i;
  };
}

/**
 * Incidents cluster: 98% come from one of 300 "hot spots" (a fixed region, type, perpetrator,
 * victim profile; year drawn per incident), 2% are scattered at random (skewed per dimension).
 * This gives the sparse shape of real counts: many zeros, a tail of small counts, some large.
 */
export function domainsFor(years: number): Record<string, string[]> {
  return { year: Array.from({ length: years }, (_, i) => String(2025 - years + i)), ...baseDomains };
}

export function synthetic(seed: number, incidents: number, domains: Record<string, string[]>): Array<{ key: Record<string, string>; count: number }> {
  const rand = mulberry32(seed);
  const draws: Record<string, () => number> = {};
  for (const [d, dom] of Object.entries(domains)) draws[d] = zipf(rand, dom.length, d === 'year' ? 0.2 : 0.9);
  const HOT = 300;
  const hotDims = Object.keys(domains).filter((d) => d !== 'year');
  const hot = Array.from({ length: HOT }, () => Object.fromEntries(hotDims.map((d) => [d, domains[d]![draws[d]!()]!])));
  const hotPick = zipf(rand, HOT, 0.3);
  const byKey = new Map<string, { key: Record<string, string>; count: number }>();
  for (let i = 0; i < incidents; i++) {
    const key: Record<string, string> = {};
    for (const [d, dom] of Object.entries(domains)) key[d] = dom[draws[d]!()]!;
    if (rand() > 0.02) Object.assign(key, hot[hotPick()]!);
    const id = JSON.stringify(key);
    const rec = byKey.get(id);
    if (rec) rec.count++;
    else byKey.set(id, { key, count: 1 });
  }
  return [...byKey.values()];
}
