// inclusion.ts — guarantee 8: an organisation's reports were counted in a signed release
// (docs/release-format.md, "Merkle tree (`contamos-smt-sha256`)").
//
// Guarantees:
// - A receipt counts only if its signature verifies, with crypto's verifyReceipt, under the
//   receipt key of /.well-known/contamos.json — never under a key the receipt names
//   (receipt-invalid; receipt-key-missing when the document publishes no receipt key).
// - A report is included only if a proof for it exists (inclusion-missing), the proof's leaf is
//   exactly the receipt's reportHash (inclusion-leaf-mismatch), the release it refers to was
//   loaded with a valid hash and signature and is the log entry it claims to be
//   (inclusion-release-unverified), and crypto's verifyInclusion accepts the sparse-Merkle proof
//   against that release's signed merkle.root (inclusion-invalid). The proof reveals nothing about
//   how many reports there are beyond its length, and the auditor derives no count from it.
// - Proofs come from a file (--proofs) or from the server's member-signed proof endpoint; a fetch
//   that fails for another reason than "not found" is inclusion-fetch-error.
// Requires `await ready()`.
import { verifyInclusion, verifyReceipt } from '../../crypto/index.js';
import type { Findings } from './findings.js';
import type { Manifest, Proof, ProofLine, ReceiptLine, WellKnown } from './format.js';

export type FetchedProof = { status: 'ok'; proof: Proof } | { status: 'missing' } | { status: 'error'; detail: string };

export interface InclusionInput {
  receipts: ReceiptLine[];
  proofs?: ProofLine[];
  fetchProof?: (releaseId: string, reportId: string) => Promise<FetchedProof>;
  releaseId?: string;
}

export interface InclusionSummary {
  receipts: number;
  validReceipts: number;
  included: number;
  release: string | null;
}

export async function checkInclusion(
  input: InclusionInput,
  wellKnown: WellKnown | undefined,
  releases: ReadonlyMap<string, { manifest: Manifest; authentic: boolean }>,
  findings: Findings,
): Promise<InclusionSummary> {
  const out: InclusionSummary = { receipts: input.receipts.length, validReceipts: 0, included: 0, release: input.releaseId ?? null };
  const receiptKey = wellKnown?.receipt;
  if (!receiptKey) findings.add('receipt-key-missing', {});
  for (const r of input.receipts) {
    if (receiptKey) {
      if (verifyReceipt(r, receiptKey.publicKey)) out.validReceipts++;
      else {
        findings.add('receipt-invalid', { reportId: r.reportId, keyId: r.keyId, expectedKeyId: receiptKey.keyId });
        continue;
      }
    } else continue;

    let proofs: ProofLine[] = [];
    if (input.fetchProof && input.releaseId) {
      const got = await input.fetchProof(input.releaseId, r.reportId);
      if (got.status === 'ok') proofs = [{ releaseId: input.releaseId, reportId: r.reportId, proof: got.proof }];
      else if (got.status === 'error') {
        findings.add('inclusion-fetch-error', { reportId: r.reportId, problem: got.detail }, input.releaseId);
        continue;
      }
    } else if (input.proofs) {
      proofs = input.proofs.filter((p) => p.reportId === r.reportId && (input.releaseId === undefined || p.releaseId === input.releaseId));
    }
    if (proofs.length === 0) {
      findings.add('inclusion-missing', { reportId: r.reportId, releaseId: input.releaseId ?? null }, input.releaseId);
      continue;
    }
    let ok = true;
    for (const p of proofs) {
      const rel = releases.get(p.releaseId);
      if (!rel?.authentic) {
        findings.add('inclusion-release-unverified', { reportId: r.reportId, releaseId: p.releaseId }, p.releaseId);
        ok = false;
      } else if (p.proof.leaf !== r.reportHash) {
        findings.add('inclusion-leaf-mismatch', { reportId: r.reportId, releaseId: p.releaseId }, p.releaseId);
        ok = false;
      } else if (!verifyInclusion(p.proof, rel.manifest.merkle.root)) {
        findings.add('inclusion-invalid', { reportId: r.reportId, releaseId: p.releaseId }, p.releaseId);
        ok = false;
      }
    }
    if (ok) out.included++;
  }
  return out;
}
