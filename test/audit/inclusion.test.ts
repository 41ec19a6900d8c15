// Guarantee 8: receipts verify under the published receipt key and each report's hash is a leaf
// under the signed release's sparse Merkle root (contamos-smt-sha256), with proofs from a file or
// fetched from the server with the member's key. A proof says nothing about how many reports there
// are, and the auditor takes no count from it.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, inclusionProof, merkleRoot, serializeKeyFile, signReceipt, verifyRequest } from '../../crypto/index.js';
import { main } from '../../scripts/audit/main.js';
import {
  type FakeReport,
  type Keys,
  type LogEntryFixture,
  audit,
  buildLog,
  cleanTemp,
  failureCodes,
  fakeReports,
  makeKeys,
  proofLines,
  receiptLines,
  tempDir,
  wellKnown,
  world,
  writeLog,
} from './fixtures.js';

afterAll(cleanTemp);

let keys: Keys;
let reports: FakeReport[];
let leaves: string[];
let log: LogEntryFixture[];
let dir: string;

const W = world({ region: ['PE-LMA', 'PE-CUS'] }, { '2023': [{ since: null, counts: { 'PE-LMA': 20, 'PE-CUS': 12 } }] });

beforeAll(async () => {
  keys = await makeKeys();
  reports = fakeReports(7);
  leaves = reports.slice(0, 6).map((r) => r.reportHash); // report 6 was never counted
  log = buildLog(keys, W, [
    { series: 'anual', kind: 'draft', years: { '2023': 1 }, tables: [['year', 'region']], merkleRoot: merkleRoot(leaves) },
    { series: 'anual', years: { '2023': 1 }, tables: [['year', 'region']], merkleRoot: merkleRoot(leaves) },
  ]);
  dir = writeLog(keys, log);
});

function files(receipts: string, proofs: string): { receipts: string; proofs: string } {
  const d = tempDir('contamos-audit-inc-');
  writeFileSync(path.join(d, 'receipts.jsonl'), receipts);
  writeFileSync(path.join(d, 'proofs.jsonl'), proofs);
  return { receipts: path.join(d, 'receipts.jsonl'), proofs: path.join(d, 'proofs.jsonl') };
}

describe('inclusion, with proofs from a file', () => {
  it('passes receipts whose reports are all under the signed root', async () => {
    const counted = reports.slice(0, 6);
    const report = await audit({ dir, ...files(receiptLines(keys, counted), proofLines('anual-1', leaves, counted)), release: 'anual-1' });
    expect(report.findings).toEqual([]);
    expect(report.inclusion).toEqual({ receipts: 6, validReceipts: 6, included: 6, release: 'anual-1' });
    expect(report.checks.inclusion).toBe('pass');
    // The proofs are short and carry no index and no tree size.
    const p = inclusionProof(leaves, reports[0]!.reportHash)!;
    expect(Object.keys(p).sort()).toEqual(['leaf', 'path', 'scheme']);
  });

  it('catches a receipt whose report has no proof (not counted)', async () => {
    const report = await audit({ dir, ...files(receiptLines(keys, reports), proofLines('anual-1', leaves, reports)) });
    expect(failureCodes(report)).toEqual(['inclusion-missing']);
    expect(report.findings[0]!.params.reportId).toBe(reports[6]!.reportId);
  });

  it('catches a proof that does not lead to the signed root (from a tree that does hold the report)', async () => {
    const proof = inclusionProof(
      reports.map((r) => r.reportHash),
      reports[6]!.reportHash,
    )!;
    const report = await audit({
      dir,
      ...files(receiptLines(keys, [reports[6]!]), JSON.stringify({ releaseId: 'anual-1', reportId: reports[6]!.reportId, proof }) + '\n'),
    });
    expect(failureCodes(report)).toEqual(['inclusion-invalid']);
  });

  it("catches a proof whose leaf is not the receipt's report hash", async () => {
    const proof = inclusionProof(leaves, reports[1]!.reportHash)!;
    const report = await audit({
      dir,
      ...files(receiptLines(keys, [reports[0]!]), JSON.stringify({ releaseId: 'anual-1', reportId: reports[0]!.reportId, proof }) + '\n'),
    });
    expect(failureCodes(report)).toEqual(['inclusion-leaf-mismatch']);
  });

  it("catches a receipt not signed by the server's receipt key", async () => {
    const other = generateSigningKeyPair();
    const forged = JSON.stringify(signReceipt(reports[0]!.reportId, reports[0]!.reportHash, { keyId: keys.receipt.keyId, secretKey: other.secretKey })) + '\n';
    const report = await audit({ dir, ...files(forged, proofLines('anual-1', leaves, [reports[0]!])) });
    expect(failureCodes(report)).toEqual(['receipt-invalid']);
  });

  it('refuses a proof against a release that is not authentic', async () => {
    const intruder: Keys = { ...keys, publisher: { ...generateSigningKeyPair(), keyId: keys.publisher.keyId } };
    const fake = writeLog(
      keys,
      buildLog(intruder, W, [{ series: 'anual', years: { '2023': 1 }, tables: [['year', 'region']], merkleRoot: merkleRoot(leaves) }]),
    );
    const report = await audit({ dir: fake, ...files(receiptLines(keys, [reports[0]!]), proofLines('anual-1', leaves, [reports[0]!])) });
    expect(failureCodes(report)).toEqual(['inclusion-release-unverified', 'signature-invalid']);
  });
});

describe('inclusion, with proofs fetched from the server with the member key', () => {
  let server: Server;
  let url: string;
  let member: { publicKey: string; secretKey: string; keyId: string };
  const proofRequests: string[] = [];

  beforeAll(async () => {
    member = { ...generateSigningKeyPair(), keyId: 'm-test-member' };
    const releases = log.filter((e) => e.signature);
    server = createServer(async (req, res) => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const u = req.url ?? '/';
      if (u === '/.well-known/contamos.json') return send(200, wellKnown(keys));
      if (u === '/api/v1/publications') {
        return send(200, {
          items: log.map((e) => ({
            index: e.index,
            id: e.manifest.id,
            series: e.manifest.series,
            sequence: e.manifest.sequence,
            kind: e.signature ? 'release' : 'draft',
            hash: e.hash,
          })),
        });
      }
      const pub = /^\/api\/v1\/publications\/(\d+)$/.exec(u);
      if (pub) {
        const e = log[Number(pub[1]) - 1]!;
        return send(200, { manifest: e.manifest, hash: e.hash, signature: e.signature });
      }
      if (u === '/api/v1/releases') {
        return send(200, {
          items: releases.map((e) => ({
            id: e.manifest.id,
            series: e.manifest.series,
            sequence: e.manifest.sequence,
            hash: e.hash,
            publishedOn: e.manifest.publishedOn,
            index: e.index,
          })),
        });
      }
      const proof = /^\/api\/v1\/releases\/([^/]+)\/proof\/([^/]+)$/.exec(u);
      if (proof) {
        proofRequests.push(u);
        try {
          await verifyRequest(
            { method: req.method ?? 'GET', url: u, headers: req.headers, body: '' },
            { keyLookup: async (id) => (id === member.keyId ? member.publicKey : null) },
          );
        } catch {
          return send(401, { error: { code: 'signature_invalid' } });
        }
        const rep = reports.find((r) => r.reportId === decodeURIComponent(proof[2]!));
        const p = decodeURIComponent(proof[1]!) === 'anual-1' && rep ? inclusionProof(leaves, rep.reportHash) : null;
        return p ? send(200, p) : send(404, { error: { code: 'not_found' } });
      }
      const one = /^\/api\/v1\/releases\/([^/]+)$/.exec(u);
      const e = one && releases.find((x) => x.manifest.id === decodeURIComponent(one[1]!));
      return e ? send(200, { manifest: e.manifest, hash: e.hash, signature: e.signature }) : send(404, { error: { code: 'not_found' } });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const run = async (args: string[]) => {
    let stdout = '';
    const code = await main(args, { stdout: (t) => (stdout += t), stderr: () => {} });
    return { code, report: JSON.parse(stdout) };
  };

  it('fetches member-signed proofs with --key and catches a report that was not counted', async () => {
    const d = tempDir();
    const keyFile = path.join(d, 'member.key.json');
    writeFileSync(
      keyFile,
      serializeKeyFile({
        kind: 'contamos-key',
        version: 1,
        role: 'member',
        keyId: member.keyId,
        signing: { publicKey: member.publicKey, secretKey: member.secretKey },
      }),
    );
    const receipts = path.join(d, 'receipts.jsonl');
    writeFileSync(receipts, receiptLines(keys, reports.slice(0, 4)));
    const ok = await run(['--server', url, '--receipts', receipts, '--key', keyFile, '--release', 'anual-1', '--json', '-']);
    expect(ok.code).toBe(0);
    expect(ok.report.inclusion).toEqual({ receipts: 4, validReceipts: 4, included: 4, release: 'anual-1' });
    expect(proofRequests.length).toBe(4);

    writeFileSync(receipts, receiptLines(keys, reports));
    const bad = await run(['--server', url, '--receipts', receipts, '--key', keyFile, '--release', 'anual-1', '--json', '-']);
    expect(bad.code).toBe(1);
    expect(bad.report.findings.map((f: { code: string }) => f.code)).toEqual(['inclusion-missing']);
    expect(bad.report.findings[0].params.reportId).toBe(reports[6]!.reportId);
  });

  it('reports a proof request the server refuses', async () => {
    const d = tempDir();
    const keyFile = path.join(d, 'member.key.json');
    writeFileSync(keyFile, serializeKeyFile({ kind: 'contamos-key', version: 1, role: 'member', keyId: 'm-stranger', signing: generateSigningKeyPair() }));
    const receipts = path.join(d, 'receipts.jsonl');
    writeFileSync(receipts, receiptLines(keys, reports.slice(0, 1)));
    const r = await run(['--server', url, '--receipts', receipts, '--key', keyFile, '--release', 'anual-1', '--json', '-']);
    expect(r.code).toBe(1);
    expect(r.report.findings[0]).toMatchObject({ code: 'inclusion-fetch-error', params: { problem: 'HTTP 401 signature_invalid' } });
  });
});
