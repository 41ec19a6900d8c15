// Check 5 (inclusion): receipts verify under the published receipt key and each report's hash is a
// leaf of the signed merkle root, with proofs from a file.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, inclusionProof, signReceipt } from '../../crypto/index.js';
import {
  type FakeReport, type Keys, audit, failureCodes, fakeReports, makeKeys, makeManifest, proofLines, receiptLines, sign, spec3x3, tempDir, writeFolder, cleanTemp,
} from './fixtures.js';

afterAll(cleanTemp);

let keys: Keys;
let reports: FakeReport[];
let leaves: string[];
let dir: string;

beforeAll(async () => {
  keys = await makeKeys();
  reports = fakeReports(7);
  leaves = reports.slice(0, 6).map((r) => r.reportHash); // report 6 was never counted
  dir = writeFolder(keys, [sign(makeManifest(spec3x3(), { leaves }), keys.publisher)]);
});

function files(receipts: string, proofs: string): { receipts: string; proofs: string } {
  const d = tempDir('contamos-audit-inc-');
  writeFileSync(path.join(d, 'receipts.jsonl'), receipts);
  writeFileSync(path.join(d, 'proofs.jsonl'), proofs);
  return { receipts: path.join(d, 'receipts.jsonl'), proofs: path.join(d, 'proofs.jsonl') };
}

describe('inclusion', () => {
  it('passes receipts whose reports are all in the signed root', async () => {
    const counted = reports.slice(0, 6);
    const report = await audit({ dir, ...files(receiptLines(keys, counted), proofLines('anual-1', leaves, counted)), release: 'anual-1' });
    expect(report.findings).toEqual([]);
    expect(report.inclusion).toEqual({ receipts: 6, validReceipts: 6, included: 6, release: 'anual-1' });
    expect(report.checks.inclusion).toBe('pass');
  });

  it('catches a receipt whose report is missing from the proofs (not counted)', async () => {
    const report = await audit({ dir, ...files(receiptLines(keys, reports), proofLines('anual-1', leaves, reports)) });
    expect(failureCodes(report)).toEqual(['inclusion-missing']);
    expect(report.findings[0]!.params.reportId).toBe(reports[6]!.reportId);
  });

  it('catches a proof that does not lead to the signed root (a report missing from the root)', async () => {
    // A proof built from another tree that does contain report 6 is valid there, not here.
    const other = reports.map((r) => r.reportHash);
    const proof = inclusionProof(other, reports[6]!.reportHash)!;
    const report = await audit({ dir, ...files(receiptLines(keys, [reports[6]!]), JSON.stringify({ releaseId: 'anual-1', reportId: reports[6]!.reportId, proof }) + '\n') });
    expect(failureCodes(report)).toEqual(['inclusion-invalid']);
  });

  it('catches a proof whose leaf is not the receipt\'s report hash', async () => {
    const proof = inclusionProof(leaves, reports[1]!.reportHash)!;
    const report = await audit({ dir, ...files(receiptLines(keys, [reports[0]!]), JSON.stringify({ releaseId: 'anual-1', reportId: reports[0]!.reportId, proof }) + '\n') });
    expect(failureCodes(report)).toEqual(['inclusion-leaf-mismatch']);
  });

  it('catches a receipt not signed by the server\'s receipt key', async () => {
    const other = generateSigningKeyPair();
    const forged = JSON.stringify(signReceipt(reports[0]!.reportId, reports[0]!.reportHash, { keyId: keys.receipt.keyId, secretKey: other.secretKey })) + '\n';
    const report = await audit({ dir, ...files(forged, proofLines('anual-1', leaves, [reports[0]!])) });
    expect(failureCodes(report)).toEqual(['receipt-invalid']);
  });

  it('refuses a proof for a release that is not authentic', async () => {
    const intruder = { ...generateSigningKeyPair(), keyId: keys.publisher.keyId };
    const fake = writeFolder(keys, [sign(makeManifest(spec3x3(), { leaves }), intruder)]);
    const report = await audit({ dir: fake, ...files(receiptLines(keys, [reports[0]!]), proofLines('anual-1', leaves, [reports[0]!])) });
    expect(failureCodes(report)).toEqual(['inclusion-release-unverified', 'signature-invalid']);
  });

  it('fixes the tree size to the signed leafCount', async () => {
    const proof = { ...inclusionProof(leaves, reports[0]!.reportHash)!, treeSize: 7 };
    const report = await audit({ dir, ...files(receiptLines(keys, [reports[0]!]), JSON.stringify({ releaseId: 'anual-1', reportId: reports[0]!.reportId, proof }) + '\n') });
    expect(failureCodes(report)).toEqual(['inclusion-invalid']);
  });
});
