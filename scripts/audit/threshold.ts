// threshold.ts — guarantee 4: no published count of a suppression entry is in 1 … k − 1.
//
// Guarantees:
// - Every published cell of every table of every suppression entry — releases and drafts — is
//   looked at with that entry's k; a count c with 1 ≤ c ≤ k − 1 is a failure (threshold), reported
//   once per quantity per entry (the same count in several tables is one finding).
// - A published 0 is a true zero and is allowed; a suppressed cell has no count. DP entries have no
//   k (their counts are noisy; their exact invariants are protected by the global model instead).
import type { Findings } from './findings.js';
import type { Manifest } from './format.js';
import { coordOf, displayCoord } from './system.js';

export interface ThresholdSummary {
  published: number;
  belowK: number;
}

export function checkThreshold(manifest: Manifest, findings: Findings, label: string): ThresholdSummary {
  const out: ThresholdSummary = { published: 0, belowK: 0 };
  if (manifest.method !== 'suppression' || manifest.k === undefined) return out;
  const reported = new Set<string>();
  for (const table of manifest.tables) {
    for (const cell of table.cells) {
      if (cell.suppressed || cell.count === null) continue;
      out.published++;
      if (cell.count >= 1 && cell.count < manifest.k) {
        const year = cell.key.year && cell.key.year !== '*' ? cell.key.year : manifest.domains.year!.join('+');
        const id = `${year}|${coordOf(cell.key)}`;
        if (reported.has(id)) continue;
        reported.add(id);
        out.belowK++;
        findings.add('threshold', { cell: `${year} · ${displayCoord(coordOf(cell.key))}`, count: cell.count, k: manifest.k }, label);
      }
    }
  }
  return out;
}
