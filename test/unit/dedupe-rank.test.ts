// The representative of reports under one dedupe tag (server/services/incidents.ts,
// `lowestRanked`): the report of smallest HMAC(secret, tag ‖ "\n" ‖ member) ‖ HMAC(secret,
// reportHash). Checked against a second implementation written here from that definition with
// node:crypto alone (every report's whole rank, then the minimum), over random groups where
// members repeat, hashes repeat, and groups of one occur.
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lowestRanked, type ReportFacts } from '../../server/services/incidents.js';

function byDefinition(secret: Uint8Array, group: readonly ReportFacts[]): ReportFacts {
  const rank = (r: ReportFacts) =>
    createHmac('sha256', secret).update(`${r.dedupeTag}\n${r.memberKeyId}`).digest('hex') + createHmac('sha256', secret).update(r.reportHash).digest('hex');
  let best = group[0]!;
  for (const r of group.slice(1)) if (rank(r) < rank(best)) best = r;
  return best;
}

const report = (tag: string, member: string, hash: string, i: number): ReportFacts => ({
  id: `r-${i}`,
  memberKeyId: member,
  dedupeTag: tag,
  reportHash: hash,
  status: 'active',
  year: 2024,
  key: {},
});

describe('the representative under a dedupe tag', () => {
  it('is the report of smallest rank, as the definition computes it', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(fc.record({ member: fc.integer({ min: 0, max: 3 }), hash: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 9 }),
        (secret, picks) => {
          const group = picks.map((p, i) => report('tag', `m-${p.member}`, `${p.hash}`.padStart(64, '0'), i));
          expect(lowestRanked(secret, group).id).toBe(byDefinition(secret, group).id);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('does not depend on the order the reports are read in', () => {
    const secret = randomBytes(32);
    const group = Array.from({ length: 12 }, (_, i) => report('t', `m-${i % 3}`, randomBytes(32).toString('hex'), i));
    const ids = new Set<string>();
    for (let k = 0; k < 20; k++)
      ids.add(
        lowestRanked(
          secret,
          [...group].sort(() => Math.random() - 0.5),
        ).id,
      );
    expect([...ids]).toEqual([byDefinition(secret, group).id]);
  });
});
