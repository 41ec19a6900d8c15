// The steward's download of sealed reports, page by page, so narratives can be opened offline
// with the steward's private key (which the server never has). No submitter pseudonym is given.
import { authenticated } from './nonces.js';
import type { Auth, ServiceContext } from './context.js';

export function stewardReports(ctx: ServiceContext, auth: Auth, page: { cursor?: string; limit: number }) {
  return authenticated(ctx, auth, async (tx) => {
    const rows = await tx.report.findMany({
      where: page.cursor ? { id: { gt: page.cursor } } : {},
      orderBy: { id: 'asc' },
      take: page.limit + 1,
      select: {
        id: true, status: true, year: true, quarter: true, region: true, incidentType: true, victimGender: true,
        victimNationality: true, victimAgeBand: true, perpetratorType: true, outcome: true, sealedNarrative: true,
        dedupeTag: true, supersedes: true,
      },
    });
    const more = rows.length > page.limit;
    const items = rows.slice(0, page.limit).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)));
    return { items, nextCursor: more ? (items[items.length - 1]!.id as string) : null };
  });
}
