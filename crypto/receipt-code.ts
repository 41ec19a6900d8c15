// receipt-code.ts — the short code of a receipt, for people to write down, read out or compare.
//
// Guarantees:
// - `receiptCode(reportId, reportHash)` is 16 characters of Crockford base32 in four groups of
//   four ("7QKM-2D9X-HE4T-0WSA"): the first 80 bits of SHA-256 over the exact message the receipt's
//   signature covers (receipt.ts `receiptMessage`), with a domain prefix. So the same receipt
//   always gives the same code, on the server, in the CLI and in the page; two different receipts
//   share a code only by an 80-bit collision; and anyone holding the report id and hash (the
//   organisation, from its receipt or its own list) can recompute it. It throws `TypeError` on a
//   malformed report hash (not lowercase 64-hex) or an empty report id.
// - The alphabet has no I, L, O or U, so a code read aloud or copied by hand is not misread;
//   `normaliseReceiptCode` accepts what a person types (lower case, spaces or no dashes, O for 0,
//   I or L for 1) and returns the canonical form, or null when it cannot be a code.
// - A code is an index for people, not a proof: the proof is the signed receipt it comes from.
// Pure TypeScript: no `await ready()` needed.
import { isSha256Hex, sha256 } from './hash.js';
import { receiptMessage } from './receipt.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DOMAIN = 'contamos-receipt-code-v1\n';

/** The short code of a receipt (see header). */
export function receiptCode(reportId: string, reportHash: string): string {
  if (typeof reportId !== 'string' || reportId.length === 0) throw new TypeError('reportId must be a non-empty string');
  if (!isSha256Hex(reportHash)) throw new TypeError('reportHash must be a lowercase 64-hex SHA-256');
  const digest = sha256(DOMAIN + receiptMessage(reportId, reportHash));
  let out = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; out.length < 16; i++) {
    acc = (acc << 8) | digest[i]!;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8, 12)}-${out.slice(12)}`;
}

/** What a person typed, as a canonical code; null when it cannot be one. */
export function normaliseReceiptCode(input: string): string | null {
  if (typeof input !== 'string') return null;
  const s = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (!/^[0-9A-HJKMNP-TV-Z]{16}$/.test(s)) return null;
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}-${s.slice(12)}`;
}
