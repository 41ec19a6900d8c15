// import-progress.ts — the bulk import's local record of acknowledged rows (<csv>.progress.jsonl).
//
// Why it exists: a row's report id is deterministic, but its sealed narrative is randomised, so
// re-sending a row that the server already holds gives a different body under the same id (409).
// The progress file lets a re-run skip acknowledged rows without asking the server at all.
//
// Guarantees:
// - One JSON line per acknowledged row — { row, line, id, keyId, state, reportHash, receipt? } —
//   appended and fsynced right after the server acknowledged it, so an interruption loses at most
//   the rows in flight (those are recognised on the next run through the 409 + GET path).
// - Reading tolerates a torn last line. Entries are keyed by report id and only count for the
//   same organisation key (keyId), so another key importing the same CSV is not misled.
import { existsSync, readFileSync } from 'node:fs';
import { appendLineDurably } from './files.js';
import type { Receipt } from './receipts.js';

export interface ProgressEntry {
  row: number;
  line: number;
  id: string;
  keyId: string;
  /** sent: acknowledged in this run; already: found on the server as ours (after a 409). */
  state: 'sent' | 'already';
  reportHash: string;
  receipt?: Receipt;
}

export function progressFileFor(csvFile: string): string {
  return `${csvFile}.progress.jsonl`;
}

export class ImportProgress {
  readonly done = new Map<string, ProgressEntry>();

  constructor(
    readonly file: string,
    private readonly keyId: string,
  ) {
    if (!existsSync(file)) return;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const e = JSON.parse(line) as ProgressEntry;
        if (typeof e.id === 'string' && e.keyId === keyId) this.done.set(e.id, e);
      } catch {
        // a torn line from an interrupted write: that row is simply not recorded
      }
    }
  }

  has(id: string): boolean {
    return this.done.has(id);
  }

  record(entry: Omit<ProgressEntry, 'keyId'>): void {
    const full: ProgressEntry = { ...entry, keyId: this.keyId };
    appendLineDurably(this.file, JSON.stringify(full));
    this.done.set(full.id, full);
  }
}
