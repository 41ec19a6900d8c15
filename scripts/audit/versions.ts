// versions.ts — guarantee 3: data versions and the parameters fixed per series.
//
// Guarantees (docs/release-format.md, "Data versions" and "Guarantees a valid log keeps", 3):
// - Every manifest's `data` has one entry per year of `domains.year`, ascending, and nothing else
//   (data-years).
// - Per year, versions appear in log order 1, 2, 3 … without gap: an entry may use the newest
//   version so far or the next one, or an older one when it says `heldBack` (an older version
//   without `heldBack` is a warning: version-held-back-unmarked) (version-gap).
// - `since` is null exactly for version 1, and the same (year, version) has the same `since` in
//   every manifest (version-since).
// - A series keeps its method, k and protection: those of its first signed release (or, before
//   any, of its first entry), drafts included (series-method, series-parameters).
// - No suppression entry, draft or release, has k below the minimum (k-below-minimum; the
//   server's default minimum is 5, the auditor's `--min-k` changes the one checked).
import type { Findings } from './findings.js';
import { entryLabel } from './signatures.js';
import type { LogEntry } from './source.js';

export interface VersionSummary {
  years: Array<{ year: number; versions: Array<{ version: number; since: 'additions' | 'changes' | null; firstIndex: number }> }>;
}

export function checkVersions(entries: readonly LogEntry[], minK: number, findings: Findings): VersionSummary {
  const since = new Map<string, { since: 'additions' | 'changes' | null; firstIndex: number }>();
  const newest = new Map<number, number>();
  for (const e of entries) {
    const m = e.manifest;
    if (!m) continue;
    const label = entryLabel(e);
    const years = m.data.map((d) => String(d.year));
    const sorted = [...new Set(years)].sort();
    if (years.join(',') !== sorted.join(',') || sorted.join(',') !== [...m.domains.year!].join(',')) {
      findings.add('data-years', { data: years.join(', '), domains: m.domains.year!.join(', ') }, label);
    }
    for (const d of m.data) {
      if ((d.version === 1) !== (d.since === null))
        findings.add('version-since', { year: d.year, version: d.version, since: d.since, problem: 'null-v1' }, label);
      const key = `${d.year}@${d.version}`;
      const had = since.get(key);
      if (!had) since.set(key, { since: d.since, firstIndex: e.index });
      else if (had.since !== d.since)
        findings.add(
          'version-since',
          { year: d.year, version: d.version, since: d.since, problem: 'differs', firstIndex: had.firstIndex, other: had.since },
          label,
        );
      const top = newest.get(d.year) ?? 0;
      if (d.version > top + 1) findings.add('version-gap', { year: d.year, version: d.version, newest: top }, label);
      else if (d.version < top && !d.heldBack) findings.add('version-held-back-unmarked', { year: d.year, version: d.version, newest: top }, label);
      newest.set(d.year, Math.max(top, d.version));
    }
    if (m.method === 'suppression' && m.k !== undefined && m.k < minK) findings.add('k-below-minimum', { k: m.k, minimum: minK }, label);
  }
  // The first signed release of a series fixes its method, k and protection (before any, its first entry).
  const reference = new Map<string, LogEntry>();
  for (const e of entries) {
    if (!e.manifest) continue;
    const had = reference.get(e.manifest.series);
    if (!had || (had.envelope?.signature == null && e.envelope?.signature != null)) reference.set(e.manifest.series, e);
  }
  for (const e of entries) {
    const m = e.manifest;
    if (!m) continue;
    const ref = reference.get(m.series)!;
    if (ref === e) continue;
    const r = ref.manifest!;
    if (r.method !== m.method) findings.add('series-method', { series: m.series, method: r.method, now: m.method, from: entryLabel(ref) }, entryLabel(e));
    else if (r.k !== m.k || r.protection !== m.protection) {
      findings.add(
        'series-parameters',
        { series: m.series, k: r.k ?? null, protection: r.protection ?? null, nowK: m.k ?? null, nowProtection: m.protection ?? null, from: entryLabel(ref) },
        entryLabel(e),
      );
    }
  }
  const byYear = new Map<number, VersionSummary['years'][number]['versions']>();
  for (const [key, v] of since) {
    const [y, ver] = key.split('@').map(Number) as [number, number];
    byYear.set(y, [...(byYear.get(y) ?? []), { version: ver, since: v.since, firstIndex: v.firstIndex }]);
  }
  return {
    years: [...byYear].sort((a, b) => a[0] - b[0]).map(([year, versions]) => ({ year, versions: versions.sort((a, b) => a.version - b.version) })),
  };
}
