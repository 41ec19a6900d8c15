// concentration.ts — the steward's view of cells one member organisation dominates.
//
// A member that keeps adding reports to one small cell (the padding probe of issue 15) shows up as
// a cell where most incidents come from that member. For the current data, cell by cell at
// year × region × incident type, this lists every member whose incidents there make up more than
// the operator's share (CONTAMOS_FLAG_SHARE, default 0.75) of a cell of at least 2 incidents.
// Guarantees: steward-only (the route checks the role; the nonce is consumed here); computed from
// the same counting rules as releases (excluded members left out, one incident per dedupe tag,
// an organisation's keys together); a flag names the organisation's keys that reported in the
// cell (`keyIds`) and, as `memberKeyId`, the one of them in most of its incidents — the key to
// quarantine or revoke (quarantine acts on one key);
// nothing is stored; the list is sorted by cell, then member, so it does not follow arrival order.
import { nonceRow } from '../db/nonces.js';
import { countedNow } from './counted-now.js';
import { holderOf } from './incidents.js';
import type { Auth, ServiceContext } from './context.js';

export const DEFAULT_FLAG_SHARE = 0.75;

export interface ConcentrationFlag {
  year: number;
  region: string;
  incidentType: string;
  incidents: number;
  /** The organisation's key in most of the cell's incidents it reported (ties: the smallest id). */
  memberKeyId: string;
  /** Every key of the organisation that reported in the cell (counted reports only). */
  keyIds: string[];
  memberIncidents: number;
}

export async function concentrationFlags(ctx: ServiceContext, auth: Auth): Promise<{ share: number; items: ConcentrationFlag[] }> {
  const share = ctx.policy?.flagShare ?? DEFAULT_FLAG_SHARE;
  const { facts, current: byYear } = await countedNow(ctx);
  const cells = new Map<
    string,
    { year: number; region: string; incidentType: string; n: number; by: Map<string, number>; keys: Map<string, Map<string, number>> }
  >();
  for (const [year, { incidents }] of byYear) {
    for (const inc of incidents) {
      const id = `${year}|${inc.key.region}|${inc.key.incidentType}`;
      let c = cells.get(id);
      if (!c) cells.set(id, (c = { year, region: inc.key.region!, incidentType: inc.key.incidentType!, n: 0, by: new Map(), keys: new Map() }));
      c.n++;
      for (const m of inc.members) c.by.set(m, (c.by.get(m) ?? 0) + 1);
      const keysHere = new Set(inc.reports.map((r) => facts.get(r)!));
      for (const key of new Set([...keysHere].map((r) => `${holderOf(r)}\u0000${r.memberKeyId}`))) {
        const [holder, keyId] = key.split('\u0000') as [string, string];
        let k = c.keys.get(holder);
        if (!k) c.keys.set(holder, (k = new Map()));
        k.set(keyId, (k.get(keyId) ?? 0) + 1);
      }
    }
  }
  const items: ConcentrationFlag[] = [];
  for (const c of cells.values()) {
    if (c.n < 2) continue;
    for (const [holder, n] of c.by) {
      if (n / c.n <= share) continue;
      const keys = [...c.keys.get(holder)!].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
      const keyIds = keys.map(([k]) => k).sort();
      items.push({ year: c.year, region: c.region, incidentType: c.incidentType, incidents: c.n, memberKeyId: keys[0]![0], keyIds, memberIncidents: n });
    }
  }
  items.sort(
    (a, b) => a.year - b.year || a.region.localeCompare(b.region) || a.incidentType.localeCompare(b.incidentType) || a.memberKeyId.localeCompare(b.memberKeyId),
  );
  await ctx.db.signed(nonceRow(auth), async () => undefined);
  return { share, items };
}
