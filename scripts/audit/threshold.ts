// threshold.ts — check 2: no published count is in 1 … k−1 (docs/release-format.md, "Guarantees" 3).
//
// Guarantees:
// - Every published cell of every table is looked at; a count c with 1 ≤ c ≤ k−1 is a failure
//   (threshold), reported once per quantity (the same count in several tables is one finding).
// - A published 0 is a true zero and is allowed; a suppressed cell has no count and is not looked at.
import type { Findings } from './findings.js';
import type { Manifest } from './format.js';
import { displayKey, identityOf } from './structure.js';

export interface ThresholdSummary {
  published: number;
  belowK: number;
}

export function checkThreshold(manifest: Manifest, findings: Findings, release: string): ThresholdSummary {
  const out: ThresholdSummary = { published: 0, belowK: 0 };
  const reported = new Set<string>();
  for (const table of manifest.tables) {
    for (const cell of table.cells) {
      if (cell.suppressed || cell.count === null) continue;
      out.published++;
      if (cell.count >= 1 && cell.count < (manifest.k ?? 2)) {
        const id = identityOf(cell.key);
        if (reported.has(id)) continue;
        reported.add(id);
        out.belowK++;
        findings.add('threshold', { cell: displayKey(id), count: cell.count, k: manifest.k ?? null }, release);
      }
    }
  }
  return out;
}
