// receipts.ts — checking the server's signed receipts and keeping them.
//
// Guarantees:
// - `checkReceipt` accepts a receipt only if it is signed by the receipt key of the server's
//   well-known document, names the report id that was sent, and signs the hash of EXACTLY the
//   body that was sent (recomputed here): a receipt the organisation keeps proves what it sent.
// - `appendReceipt` appends the receipt as one JSON line and fsyncs it (file mode 0600).
// - `readReceipts` reads such a file back, skipping a torn last line.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { reportHash, verifyReceipt } from '../../crypto/index.js';
import { appendLineDurably } from './files.js';
import { CliError } from './io.js';
import type { ReportBody } from './report.js';
import type { WellKnown } from './server-info.js';

export interface Receipt {
  reportId: string;
  reportHash: string;
  keyId: string;
  signature: string;
}

export const RECEIPTS_FILE_NAME = 'receipts.jsonl';

/** Default receipts file: receipts.jsonl next to the key file. */
export function defaultReceiptsFile(keyFile: string): string {
  return path.join(path.dirname(keyFile), RECEIPTS_FILE_NAME);
}

/** The server answered, but its receipt does not prove what was sent. */
export class ReceiptError extends CliError {}

export function checkReceipt(receipt: unknown, id: string, body: ReportBody, wk: WellKnown): Receipt {
  const r = receipt as Partial<Receipt> | undefined;
  const fail = (es: string, en: string) =>
    new ReceiptError(`El recibo del servidor no es válido: ${es}`, `The server's receipt is not valid: ${en}`, 1, [
      'El reporte puede haberse guardado, pero no hay prueba firmada de ello. Avise a la administración de la coalición.',
      'The report may have been stored, but there is no signed proof of it. Tell the coalition steward.',
    ]);
  if (!r || typeof r !== 'object') throw fail('no hay recibo', 'no receipt');
  if (r.reportId !== id) throw fail('nombra otro reporte', 'it names another report');
  if (r.keyId !== wk.receipt.keyId) throw fail('lo firmó otra clave', 'it was signed by another key');
  if (!verifyReceipt(r as Receipt, wk.receipt.publicKey)) throw fail('la firma no verifica', 'the signature does not verify');
  if (r.reportHash !== reportHash(id, body)) throw fail('no corresponde a lo enviado', 'it does not match what was sent');
  return { reportId: r.reportId, reportHash: r.reportHash, keyId: r.keyId, signature: r.signature! };
}

export function appendReceipt(file: string, receipt: Receipt): void {
  appendLineDurably(file, JSON.stringify(receipt));
}

/** Receipts in a receipts file, by report id (the last one wins). */
export function readReceipts(file: string): Map<string, Receipt> {
  const out = new Map<string, Receipt>();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as Receipt;
      if (typeof r.reportId === 'string' && typeof r.reportHash === 'string') out.set(r.reportId, r);
    } catch {
      // a torn line from an interrupted write: ignore
    }
  }
  return out;
}
