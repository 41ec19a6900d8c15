// report-facts.ts — every report's countable values, read from the Store for counting
// (releases.ts, concentration.ts), with each key's organisation (organisations.ts).
// Guarantees: one consistent read of the reports (one statement); rows come
// as arrays, one at a time, the counted values as one text, and identical value combinations share one key
// object, so a million reports stay within a few hundred MB. Nothing here decides what is counted.
import { codeOf, COUNTED_DIMENSIONS, type ReportFacts } from './incidents.js';
import type { ServiceContext } from './context.js';
import { organisationsOf } from './organisations.js';

/** The counted dimensions as one text, spelled as codeOf spells nulls (exported for the index test). */
export const KEY_COLUMNS = COUNTED_DIMENSIONS.map((d) => (d === 'quarter' || d === 'outcome' ? { column: d, nullAs: codeOf(d, null) } : { column: d }));

export async function readReportFacts(ctx: ServiceContext): Promise<Map<string, ReportFacts>> {
  const out = new Map<string, ReportFacts>();
  const keys = new Map<string, Record<string, string>>();
  const holder = await organisationsOf(ctx);
  await ctx.db.reports.factRows(KEY_COLUMNS, (r) => {
    const text = r[6] as string;
    let key = keys.get(text);
    if (!key) {
      const codes = text.split('|');
      key = {};
      COUNTED_DIMENSIONS.forEach((d, i) => (key![d] = codes[i]!));
      keys.set(text, key);
    }
    const id = r[0] as string;
    const memberKeyId = r[1] as string;
    out.set(id, {
      id,
      memberKeyId,
      holder: holder(memberKeyId),
      dedupeTag: (r[2] as string | null) ?? null,
      reportHash: r[3] as string,
      status: r[4] as string,
      year: Number(r[5]),
      key,
    });
  });
  return out;
}
