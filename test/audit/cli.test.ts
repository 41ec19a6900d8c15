// The command line: end to end as a child process (exit code and JSON report), against a server
// (a stand-in HTTP server serving the published URLs, with a member-signed proof endpoint), the
// --download copy, --explain, and usage errors.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, inclusionProof, serializeKeyFile, verifyRequest } from '../../crypto/index.js';
import { main } from '../../scripts/audit/main.js';
import {
  type Envelope, type FakeReport, type Keys, RECTANGLE, fakeReports, goodSeries, makeKeys, makeManifest, receiptLines, sign, spec3x3, tempDir,
  wellKnown, writeFolder, cleanTemp,
} from './fixtures.js';

afterAll(cleanTemp);

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'scripts/audit/main.ts', ...args], { cwd: ROOT, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

let keys: Keys;
let series: Envelope[];

beforeAll(async () => {
  keys = await makeKeys();
  series = goodSeries(keys, 2);
});

describe('command line, as a child process', () => {
  it('passes a good folder (exit 0) and writes the JSON report', async () => {
    const dir = writeFolder(keys, series, { listing: true });
    const json = path.join(tempDir(), 'report.json');
    const r = await cli(['--dir', dir, '--json', json]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Resultado: APROBADA');
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report).toMatchObject({ tool: 'contamos-audit', ok: true, exitCode: 0, failures: 0 });
    expect(report.checks).toMatchObject({ authenticity: 'pass', threshold: 'pass', intervals: 'pass', differencing: 'pass', inclusion: 'skipped' });
  }, 120_000);

  it('fails a folder with a recoverable cell and a small count (exit 1), in English', async () => {
    const bad = sign(makeManifest(spec3x3([{ region: 'PE-LMA', incidentType: 'disappearance' }], { 'PE-PUN/extortion': 2 })), keys.publisher);
    const json = path.join(tempDir(), 'report.json');
    const r = await cli(['--dir', writeFolder(keys, [bad]), '--json', json, '--lang', 'en']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Result: NOT PASSED');
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.findings.map((f: { code: string }) => f.code).sort()).toEqual(['interval-pinned', 'threshold']);
    expect(report.findings[0].message).toMatch(/^(Cell|Suppressed cell)/);
  }, 120_000);

  it('refuses a wrong command line (exit 2)', async () => {
    const r = await cli(['--dir']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--dir needs a value');
  }, 120_000);
});

describe('command line, in process', () => {
  it('explains the checks in plain Spanish, or English', async () => {
    const es = await inProcess(['--explain']);
    expect(es.code).toBe(0);
    expect(es.stdout).toContain('Umbral k');
    expect(es.stdout).toContain('firma digital');
    const en = await inProcess(['--explain', '--lang', 'en']);
    expect(en.stdout).toContain('Threshold k');
    expect(en.stdout).toContain('What the audit cannot prove');
  });

  it('refuses contradictory options', async () => {
    expect((await inProcess(['--server', 'http://x', '--dir', 'y'])).code).toBe(2);
    expect((await inProcess(['--dir', 'y', '--receipts', 'r.jsonl'])).code).toBe(2);
    expect((await inProcess(['--dir', 'y', '--receipts', 'r', '--key', 'k', '--release', 'a'])).code).toBe(2);
    expect((await inProcess(['--bogus'])).code).toBe(2);
    expect((await inProcess([])).code).toBe(2);
  });

  it('takes several log files after --logs', async () => {
    const d = tempDir();
    const a = path.join(d, 'a.log');
    const b = path.join(d, 'b.log');
    writeFileSync(a, '{"msg":"request","status":200}\n');
    writeFileSync(b, 'GET / from 190.42.17.5\n');
    const json = path.join(d, 'r.json');
    const r = await inProcess(['--logs', a, b, '--json', json]);
    expect(r.code).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.inventory.logs.map((l: { file: string }) => l.file)).toEqual([a, b]);
  });
});

describe('against a server', () => {
  let server: Server;
  let url: string;
  let reports: FakeReport[];
  let leaves: string[];
  let member: { publicKey: string; secretKey: string; keyId: string };
  const proofRequests: string[] = [];

  beforeAll(async () => {
    member = { ...generateSigningKeyPair(), keyId: 'm-test-member' };
    reports = fakeReports(5);
    leaves = reports.slice(0, 4).map((r) => r.reportHash);
    const third = sign(makeManifest(spec3x3(RECTANGLE, { 'PE-CUS/extortion': 10 }), { sequence: 3, previousHash: series[1]!.hash, leaves }), keys.publisher);
    const all = [...series, third];
    const byId = new Map(all.map((e) => [String(e.manifest.id), e]));
    server = createServer(async (req, res) => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const u = req.url ?? '/';
      if (u === '/.well-known/contamos.json') return send(200, wellKnown(keys));
      if (u === '/api/v1/releases') {
        return send(200, { items: all.map((e) => ({ id: e.manifest.id, series: e.manifest.series, sequence: e.manifest.sequence, hash: e.hash, publishedOn: e.manifest.publishedOn })) });
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
        const rel = byId.get(decodeURIComponent(proof[1]!));
        const rep = reports.find((r) => r.reportId === decodeURIComponent(proof[2]!));
        const p = rel && rep && rel.manifest.id === 'anual-3' ? inclusionProof(leaves, rep.reportHash) : null;
        return p ? send(200, p) : send(404, { error: { code: 'not_found' } });
      }
      const one = /^\/api\/v1\/releases\/([^/]+)$/.exec(u);
      if (one && byId.has(decodeURIComponent(one[1]!))) return send(200, byId.get(decodeURIComponent(one[1]!)));
      return send(404, { error: { code: 'not_found' } });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('audits the server, keeps a copy with --download, and the copy audits the same', async () => {
    const copy = path.join(tempDir(), 'copy');
    const json = path.join(tempDir(), 'server.json');
    const r = await inProcess(['--server', url, '--download', copy, '--json', json]);
    expect(r.code).toBe(0);
    expect(existsSync(path.join(copy, 'contamos.json'))).toBe(true);
    expect(readdirSync(path.join(copy, 'releases')).sort()).toEqual(['anual-1.json', 'anual-2.json', 'anual-3.json']);
    const fromServer = JSON.parse(readFileSync(json, 'utf8'));
    expect(fromServer.releases.map((x: { id: string }) => x.id)).toEqual(['anual-1', 'anual-2', 'anual-3']);
    const json2 = path.join(tempDir(), 'dir.json');
    expect((await inProcess(['--dir', copy, '--json', json2])).code).toBe(0);
    const fromDir = JSON.parse(readFileSync(json2, 'utf8'));
    expect(fromDir.releases.map((x: { hash: string }) => x.hash)).toEqual(fromServer.releases.map((x: { hash: string }) => x.hash));
  });

  it('fetches member-signed proofs with --key and catches a report that was not counted', async () => {
    const d = tempDir();
    const keyFile = path.join(d, 'member.key.json');
    writeFileSync(keyFile, serializeKeyFile({ kind: 'contamos-key', version: 1, role: 'member', keyId: member.keyId, signing: { publicKey: member.publicKey, secretKey: member.secretKey } }));
    const receipts = path.join(d, 'receipts.jsonl');
    writeFileSync(receipts, receiptLines(keys, reports.slice(0, 4)));
    const ok = await inProcess(['--server', url, '--receipts', receipts, '--key', keyFile, '--release', 'anual-3', '--json', path.join(d, 'ok.json')]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(d, 'ok.json'), 'utf8')).inclusion).toEqual({ receipts: 4, validReceipts: 4, included: 4, release: 'anual-3' });
    expect(proofRequests.length).toBe(4);

    writeFileSync(receipts, receiptLines(keys, reports));
    const bad = await inProcess(['--server', url, '--receipts', receipts, '--key', keyFile, '--release', 'anual-3', '--json', path.join(d, 'bad.json')]);
    expect(bad.code).toBe(1);
    const report = JSON.parse(readFileSync(path.join(d, 'bad.json'), 'utf8'));
    expect(report.findings.map((f: { code: string }) => f.code)).toEqual(['inclusion-missing']);
    expect(report.findings[0].params.reportId).toBe(reports[4]!.reportId);
  });

  it('reports a proof request the server refuses', async () => {
    const d = tempDir();
    const stranger = generateSigningKeyPair();
    const keyFile = path.join(d, 'member.key.json');
    writeFileSync(keyFile, serializeKeyFile({ kind: 'contamos-key', version: 1, role: 'member', keyId: 'm-stranger', signing: stranger }));
    const receipts = path.join(d, 'receipts.jsonl');
    writeFileSync(receipts, receiptLines(keys, reports.slice(0, 1)));
    const r = await inProcess(['--server', url, '--receipts', receipts, '--key', keyFile, '--release', 'anual-3', '--json', path.join(d, 'r.json')]);
    expect(r.code).toBe(1);
    const report = JSON.parse(readFileSync(path.join(d, 'r.json'), 'utf8'));
    expect(report.findings[0]).toMatchObject({ code: 'inclusion-fetch-error', params: { problem: 'HTTP 401 signature_invalid' } });
  });

  it('says so when the server cannot be reached', async () => {
    const r = await inProcess(['--server', 'http://127.0.0.1:9', '--json', path.join(tempDir(), 'x.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('source-unreachable');
  });
});
