// narrative-limit.ts — the narrative's size limit, in characters a person can count.
//
// Guarantees: any text of at most NARRATIVE_MAX_CHARS characters (UTF-16 code units, what a
// textarea counts) fits in the largest padding bucket once encoded: a code unit takes at most 3
// bytes of UTF-8 (a surrogate pair, 2 units, takes 4), so the bound below holds for every text,
// whatever its alphabet; the page therefore never seals a text that crypto/pad.ts would refuse.
import { MAX_NARRATIVE_BYTES } from '../../crypto/index.js';

export const NARRATIVE_MAX_CHARS = 20_000;

if (NARRATIVE_MAX_CHARS * 3 > MAX_NARRATIVE_BYTES) throw new Error('NARRATIVE_MAX_CHARS does not fit the padding buckets');

/** Characters as the limit counts them. */
export function narrativeLength(text: string): number {
  return text.length;
}
