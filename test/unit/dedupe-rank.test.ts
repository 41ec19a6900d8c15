// The representative of reports under one dedupe tag (server/services/incidents.ts,
// `lowestRanked`): the report of smallest HMAC(secret, tag ‖ "\n" ‖ organisation) ‖ HMAC(secret,
// reportHash), the organisation being the key's `holder` (the key itself unless linked). Checked against a second implementation written here from that definition with
// node:crypto alone (every report's whole rank, then the minimum), over random groups where
// members repeat, hashes repeat, and groups of one occur.
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lowestRanked, type ReportFacts } from '../../server/services/incidents.js';

function byDefinition(secret: Uint8Array, group: readonly ReportFacts[]): ReportFacts {
  const rank = (r: ReportFacts) =>
    createHmac('sha256', secret)
      .update(`${r.dedupeTag}\n${r.holder ?? r.memberKeyId}`)
      .digest('hex') + createHmac('sha256', secret).update(r.reportHash).digest('hex');
  let best = group[0]!;
  for (const r of group.slice(1)) if (rank(r) < rank(best)) best = r;
  return best;
}

const report = (tag: string, member: string, hash: string, i: number, holder?: string): ReportFacts => ({
  id: `r-${i}`,
  memberKeyId: member,
  ...(holder ? { holder } : {}),
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
        fc.array(fc.record({ member: fc.integer({ min: 0, max: 3 }), hash: fc.integer({ min: 0, max: 5 }), linked: fc.boolean() }), {
          minLength: 1,
          maxLength: 9,
        }),
        (secret, picks) => {
          // members 2 and 3, when linked, are keys of member 0's organisation
          const group = picks.map((p, i) => report('tag', `m-${p.member}`, `${p.hash}`.padStart(64, '0'), i, p.linked && p.member >= 2 ? 'm-0' : undefined));
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

  // A hostile organisation B with many keys, each filing under a tag A reported: the draw is one
  // per ORGANISATION, so B's chance to have its report counted is that of one organisation
  // whatever the number of its keys — once the steward counts them as one (services/organisations.ts).
  it('gives an organisation one draw whatever the number of its keys; unlinked keys draw one each', () => {
    const secret = randomBytes(32);
    const tags = Array.from({ length: 400 }, (_, i) => `tag-${i}`);
    const bWins = (keys: number, linked: boolean) =>
      tags.filter((tag) => {
        const group = [report(tag, 'm-a', 'a'.repeat(64), 0)];
        for (let j = 0; j < keys; j++) group.push(report(tag, `m-b${j}`, `${j}`.padStart(64, 'b'), j + 1, linked ? 'm-b0' : undefined));
        return lowestRanked(secret, group).memberKeyId !== 'm-a';
      }).length;
    // one key, or nine keys of one organisation: exactly the same tags are won
    expect(bWins(9, true)).toBe(bWins(1, true));
    const one = bWins(1, true);
    expect(one).toBeGreaterThan(140); // about half of 400
    expect(one).toBeLessThan(260);
    // the control: nine keys not linked are nine organisations, and win about 9 in 10
    expect(bWins(9, false)).toBeGreaterThan(320);
  });
});
