// coalitions.ts — what one or two members together know of a quantity, for the holdings rule of
// the global model (model.ts): the incidents of a cell that member a reported, and, unless the
// operator protects against one member at a time only, those that a or b reported (two colluding
// organisations).
// "Member" here is an organisation: all its keys together (services/organisations.ts). An incident both reported
// counts once in the pair's share, so what the others reported (value − share) is exactly the
// incidents neither reported, and it adds up over cells and years like any count.
//
// Guarantees: `coalitionCounts` gives every member's count and, with size 2, for every two members present,
// |A ∪ B| = a + b − (incidents both reported); `coalitionShares` its distinct non-zero values;
// `coalitionNets` every member's and every pair's change between two holdings (members absent
// count 0), distinct and non-zero. Cost O(members²) per quantity. Pure.

/**
 * Members per coalition the holdings rule protects against by default: 2, any one organisation
 * (all its keys together, services/organisations.ts) and any two colluding organisations. 1 (the
 * operator's CONTAMOS_HOLDINGS_COALITION) protects against one organisation at a time, as
 * DESIGN.md asks at least, and hides fewer cells at less cost (docs/performance.md).
 */
export const DEFAULT_HOLDINGS_COALITION = 2;

/** What members hold of a quantity: incidents per member, and per pair incidents both reported. */
export interface Holdings {
  readonly byMember?: ReadonlyMap<string, number>;
  /** Key `pairKey(a, b)`; absent pairs reported no incident together. */
  readonly byPair?: ReadonlyMap<string, number>;
}

export const pairKey = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

/** Adds one incident reported by `members` (distinct) to per-member and per-pair counts. */
export function addIncident(byMember: Map<string, number>, byPair: Map<string, number>, members: readonly string[], n = 1): void {
  for (const m of members) byMember.set(m, (byMember.get(m) ?? 0) + n);
  for (let i = 0; i < members.length; i++)
    for (let j = i + 1; j < members.length; j++) {
      const p = pairKey(members[i]!, members[j]!);
      byPair.set(p, (byPair.get(p) ?? 0) + n);
    }
}

export function coalitionCounts(h: Holdings | undefined, size: number, members?: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  const who = members ?? [...(h?.byMember?.keys() ?? [])];
  for (const m of who) out.set(m, h?.byMember?.get(m) ?? 0);
  if (size >= 2)
    for (let i = 0; i < who.length; i++)
      for (let j = i + 1; j < who.length; j++) {
        const [a, b] = [who[i]!, who[j]!];
        const p = pairKey(a, b);
        out.set(p, out.get(a)! + out.get(b)! - (h?.byPair?.get(p) ?? 0));
      }
  return out;
}

export function coalitionShares(h: Holdings | undefined, size: number): number[] {
  const out = new Set(coalitionCounts(h, size).values());
  out.delete(0);
  return [...out];
}

export function coalitionNets(before: Holdings | undefined, after: Holdings | undefined, size: number): number[] {
  const members = [...new Set([...(before?.byMember?.keys() ?? []), ...(after?.byMember?.keys() ?? [])])];
  const b = coalitionCounts(before, size, members);
  const a = coalitionCounts(after, size, members);
  const out = new Set<number>();
  for (const [c, n] of a) out.add(n - b.get(c)!);
  out.delete(0);
  return [...out];
}
