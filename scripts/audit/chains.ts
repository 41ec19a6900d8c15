// chains.ts — guarantee 2: the publication log is one unbroken chain, and the signed releases of
// each series are one unbroken chain.
//
// Guarantees (docs/release-format.md, "Guarantees a valid log keeps", 2):
// - Log: entries exist for every index 1..N (log-gap); each manifest's `publication.index` is its
//   place (log-index); `publication.previousHash` is null for index 1 and the recomputed hash of
//   entry index − 1 otherwise (log-link); the log listing names every entry once with its id,
//   series, sequence, kind (signed or not) and recomputed hash (log-listing-mismatch).
// - Every manifest's id is `${series}-${sequence}` (id-mismatch).
// - Series, in log order: among SIGNED releases of a series, sequences are 1..n without gap
//   (chain-gap) or repetition (chain-fork); every entry — release or draft — carries the sequence
//   the series is at (1 + the signed releases before it; chain-sequence for a draft) and as
//   `previousHash` the recomputed hash of the series' latest signed release before it, null when
//   there is none (chain-link). Drafts do not move a series forward. A publishedOn earlier than the
//   series' previous release's is a warning (chain-date-order).
import type { Findings } from './findings.js';
import { entryLabel } from './signatures.js';
import type { Published } from './source.js';

export interface SeriesSummary {
  series: string;
  method: string | null;
  releases: number;
  drafts: number;
  lastSequence: number;
  unbroken: boolean;
}

export interface ChainResult {
  entries: number;
  lastIndex: number;
  unbroken: boolean;
  series: SeriesSummary[];
}

export function checkChains(pub: Published, findings: Findings): ChainResult {
  const before = findings.count('fail');
  const byIndex = new Map(pub.entries.map((e) => [e.index, e] as const));
  const last = pub.entries.reduce((a, e) => Math.max(a, e.index), 0);
  const listingMax = pub.logListing?.items.reduce((a, i) => Math.max(a, i.index), 0) ?? 0;
  const n = Math.max(last, listingMax);
  for (let i = 1; i <= n; i++) if (!byIndex.has(i)) findings.add('log-gap', { index: i });

  for (const e of pub.entries) {
    const m = e.manifest;
    if (!m) continue;
    const label = entryLabel(e);
    if (m.publication.index !== e.index) findings.add('log-index', { index: e.index, says: m.publication.index }, label);
    const prev = byIndex.get(e.index - 1);
    const expected = e.index === 1 ? null : (prev?.computedHash ?? null);
    if (e.index === 1 ? m.publication.previousHash !== null : prev?.computedHash !== undefined && m.publication.previousHash !== expected) {
      findings.add('log-link', { index: e.index, previousHash: m.publication.previousHash, expected }, label);
    }
    const id = `${m.series}-${m.sequence}`;
    if (m.id !== id) findings.add('id-mismatch', { id: m.id, expected: id }, label);
  }

  if (pub.logListing) {
    const seen = new Set<number>();
    for (const item of pub.logListing.items) {
      if (seen.has(item.index)) {
        findings.add('log-listing-mismatch', { index: item.index, problem: 'twice' });
        continue;
      }
      seen.add(item.index);
      const e = byIndex.get(item.index);
      if (!e) continue; // log-gap, or unreadable (reported when read)
      const m = e.manifest;
      const problems: string[] = [];
      if (e.computedHash && item.hash !== e.computedHash) problems.push('hash');
      if (m && (item.id !== m.id || item.series !== m.series || item.sequence !== m.sequence)) problems.push('id/series/sequence');
      if (e.envelope && (item.kind === 'release') !== (e.envelope.signature !== null)) problems.push(`kind=${item.kind}`);
      if (problems.length) findings.add('log-listing-mismatch', { index: item.index, problem: 'differs', fields: problems.join(', ') }, entryLabel(e));
    }
    for (const e of pub.entries) if (!seen.has(e.index)) findings.add('log-listing-mismatch', { index: e.index, problem: 'not-listed' }, entryLabel(e));
  }

  // Series, in log order.
  interface State {
    signed: number;
    lastHash: string | null;
    lastDate: string | null;
    releases: number;
    drafts: number;
    unbroken: boolean;
    method: string | null;
  }
  const states = new Map<string, State>();
  for (const e of pub.entries) {
    const m = e.manifest;
    if (!m || !e.envelope) continue;
    const label = entryLabel(e);
    let s = states.get(m.series);
    if (!s) states.set(m.series, (s = { signed: 0, lastHash: null, lastDate: null, releases: 0, drafts: 0, unbroken: true, method: m.method }));
    const signed = e.envelope.signature !== null;
    const expectedSeq = s.signed + 1;
    if (m.sequence !== expectedSeq) {
      s.unbroken = false;
      if (!signed) findings.add('chain-sequence', { series: m.series, sequence: m.sequence, expected: expectedSeq }, label);
      else if (m.sequence <= s.signed) findings.add('chain-fork', { series: m.series, sequence: m.sequence }, label);
      else findings.add('chain-gap', { series: m.series, sequence: expectedSeq }, label);
    }
    if (m.previousHash !== s.lastHash) {
      s.unbroken = false;
      findings.add('chain-link', { series: m.series, sequence: m.sequence, previousHash: m.previousHash, expected: s.lastHash }, label);
    }
    if (signed) {
      s.releases++;
      if (s.lastDate !== null && m.publishedOn < s.lastDate)
        findings.add('chain-date-order', { series: m.series, sequence: m.sequence, publishedOn: m.publishedOn, previousPublishedOn: s.lastDate }, label);
      s.signed = Math.max(s.signed, m.sequence);
      s.lastHash = e.computedHash ?? null;
      s.lastDate = m.publishedOn;
    } else s.drafts++;
  }
  const series = [...states]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, s]) => ({ series: name, method: s.method, releases: s.releases, drafts: s.drafts, lastSequence: s.signed, unbroken: s.unbroken }));
  return { entries: pub.entries.length, lastIndex: n, unbroken: findings.count('fail') === before, series };
}
