// counted-now.ts — the current counted state, read once under the rules stored on the server: the
// reports, every recorded data version, the excluded members, the steward's choices and the rank
// secret, with each year's latest representatives kept (sticky).
// Guarantees: releases and the steward's flags count the current data from this one function, so
// they cannot disagree on what is counted; nothing is written.
import type { VersionRow } from '../db/store.js';
import { dedupeChoices } from './conflicts.js';
import { currentIncidents, type ReportFacts, unpackIds, type YearState } from './incidents.js';
import { excludedMembers } from './quarantine.js';
import { readReportFacts } from './report-facts.js';
import { dedupeRankSecret } from './server-secrets.js';
import type { ServiceContext } from './context.js';

export interface CountedNow {
  facts: Map<string, ReportFacts>;
  versions: VersionRow[];
  current: Map<number, YearState>;
}

export async function countedNow(ctx: ServiceContext): Promise<CountedNow> {
  const [facts, versions, excluded, choices, secret] = await Promise.all([
    readReportFacts(ctx),
    ctx.db.log.versions(),
    excludedMembers(ctx),
    dedupeChoices(ctx),
    dedupeRankSecret(ctx),
  ]);
  const latest = new Map<number, VersionRow>();
  for (const v of versions) latest.set(v.year, v);
  const sticky = new Set<string>();
  for (const v of latest.values()) for (const id of unpackIds(v.representatives)) sticky.add(id);
  return { facts, versions, current: currentIncidents(facts.values(), { excluded, choices, sticky, secret }) };
}
