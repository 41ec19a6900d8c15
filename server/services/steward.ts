// The steward's download of sealed reports, page by page, so narratives can be opened offline
// with the steward's private key (which the server never has). No submitter pseudonym is given.
import { nonceRow } from '../db/nonces.js';
import type { Auth, ServiceContext } from './context.js';

export function stewardReports(ctx: ServiceContext, auth: Auth, page: { cursor?: string; limit: number }) {
  return ctx.db.signed(nonceRow(auth), async (tx) => {
    const rows = await tx.reports.page(page.cursor, page.limit + 1);
    const more = rows.length > page.limit;
    const items = rows.slice(0, page.limit).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)));
    return { items, nextCursor: more ? (items[items.length - 1]!.id as string) : null };
  });
}
