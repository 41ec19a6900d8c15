// The command line: end to end as a child process (exit codes, text and JSON reports), against a
// stand-in server serving the documented URLs of the publication log, the --download copy (which
// audits the same), --json - for machines, --explain, --publisher-key, and usage errors.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../scripts/audit/main.js';
import { type EntrySpec, type Keys, type LogEntryFixture, buildLog, cleanTemp, makeKeys, tempDir, wellKnown, world, writeLog } from './fixtures.js';

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

const REGIONS = ['PE-LMA', 'PE-CUS', 'PE-CAJ', 'PE-LOR', 'PE-TUM', 'PE-PUN'];
const W = world(
  { region: REGIONS },
  { '2023': [{ since: null, counts: { 'PE-LMA': 120, 'PE-CUS': 30, 'PE-CAJ': 4, 'PE-LOR': 5, 'PE-TUM': 6, 'PE-PUN': 61 } }] },
);
const peru: EntrySpec = {
  series: 'peru-2023',
  years: { '2023': 1 },
  tables: [['year', 'region']],
  suppress: [
    { year: '2023', region: 'PE-CAJ' },
    { year: '2023', region: 'PE-LOR' },
  ],
};
const same: EntrySpec = { ...peru, series: 'anual' };
const leaky: EntrySpec = {
  ...peru,
  series: 'anual',
  suppress: [
    { year: '2023', region: 'PE-CAJ' },
    { year: '2023', region: 'PE-TUM' },
  ],
};

let keys: Keys;
let goodLog: LogEntryFixture[];
beforeAll(async () => {
  keys = await makeKeys();
  goodLog = buildLog(keys, W, [peru, { ...same, kind: 'draft' }, same]);
});

describe('command line, as a child process', () => {
  it('passes a good log (exit 0), in Spanish, and writes the JSON report', async () => {
    const json = path.join(tempDir(), 'report.json');
    const r = await cli(['--dir', writeLog(keys, goodLog), '--json', json]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Resultado: APROBADA');
    expect(r.stdout).toContain('Registro de publicaciones: 3 entradas (2 publicadas y firmadas, 1 borrador nunca firmado)');
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report).toMatchObject({ tool: 'contamos-audit', reportVersion: 2, formatVersion: 2, ok: true, exitCode: 0, failures: 0 });
    expect(report.checks).toEqual({
      source: 'pass',
      signatures: 'pass',
      chains: 'pass',
      versions: 'pass',
      threshold: 'pass',
      intervals: 'pass',
      changes: 'pass',
      privacy: 'skipped',
      inclusion: 'skipped',
      inventory: 'skipped',
    });
  }, 120_000);

  it('fails the Cajamarca log (exit 1), in English, and prints the JSON report alone with --json -', async () => {
    const dir = writeLog(keys, buildLog(keys, W, [peru, leaky]));
    const text = await cli(['--dir', dir, '--lang', 'en']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('Result: NOT PASSED');
    expect(text.stdout).toContain('Hidden cell 2023 v1 · region=PE-CAJ is exactly 4');
    const json = await cli(['--dir', dir, '--lang', 'en', '--json', '-']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.findings.map((f: { code: string }) => f.code).sort()).toEqual(['interval-pinned', 'interval-small']);
  }, 120_000);

  it('refuses a wrong command line (exit 2)', async () => {
    const r = await cli(['--dir']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--dir needs a value');
  }, 120_000);
});

describe('command line, in process', () => {
  it('explains the global model in plain Spanish, or English', async () => {
    const es = await inProcess(['--explain']);
    expect(es.code).toBe(0);
    for (const words of ['borradores', 'Cajamarca = 4', 'un solo presupuesto', 'versión', 'Umbral k']) expect(es.stdout).toContain(words);
    const en = await inProcess(['--explain', '--lang', 'en']);
    for (const words of ['drafts', 'Cajamarca = 4', 'ONE budget', 'data version', 'Threshold k', 'What the audit cannot prove'])
      expect(en.stdout).toContain(words);
  });

  it('refuses contradictory or wrong options, before reading anything', async () => {
    const dir = writeLog(keys, goodLog);
    for (const args of [
      ['--server', 'http://x', '--dir', 'y'],
      ['--dir', 'y', '--receipts', 'r.jsonl'],
      ['--bogus'],
      [],
      ['--dir', dir, '--min-k', '1'],
      ['--dir', dir, '--publisher-key', 'AAAA'],
      ['--publisher-key', keys.publisher.publicKey],
      ['--dir', dir, '--explain', '--json', '-'],
    ]) {
      expect((await inProcess(args)).code, args.join(' ')).toBe(2);
    }
  });

  it('gives the same report as text and as JSON: --json - and --json FILE agree', async () => {
    const dir = writeLog(keys, goodLog);
    const file = path.join(tempDir(), 'r.json');
    const a = await inProcess(['--dir', dir, '--json', file]);
    const b = await inProcess(['--dir', dir, '--json', '-']);
    const strip = (r: { generatedAt?: string; global?: { ms?: number; engine?: { ms?: number } } }) => {
      delete r.generatedAt;
      if (r.global) {
        delete r.global.ms;
        delete r.global.engine!.ms;
      }
      return r;
    };
    expect(strip(JSON.parse(b.stdout))).toEqual(strip(JSON.parse(readFileSync(file, 'utf8'))));
    expect(a.stdout).toContain('Resultado: APROBADA');
  });
});

describe('against a server', () => {
  let server: Server;
  let url: string;
  let served: LogEntryFixture[];
  const hidden = new Set<number>();
  const requests: string[] = [];

  beforeAll(async () => {
    served = goodLog;
    server = createServer((req, res) => {
      const u = req.url ?? '/';
      requests.push(`${req.method} ${u}`);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const listed = served.filter((e) => !hidden.has(e.index));
      if (u === '/.well-known/contamos.json') return send(200, wellKnown(keys));
      if (u === '/api/v1/publications') {
        return send(200, {
          items: listed.map((e) => ({
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
        const e = listed.find((x) => x.index === Number(pub[1]));
        return e ? send(200, { manifest: e.manifest, hash: e.hash, signature: e.signature }) : send(404, { error: { code: 'not_found' } });
      }
      const releases = listed.filter((e) => e.signature);
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

  it('reads only the documented URLs, keeps a copy with --download, and the copy audits the same', async () => {
    requests.length = 0;
    const copy = path.join(tempDir(), 'copy');
    const json = path.join(tempDir(), 'server.json');
    const r = await inProcess(['--server', url, '--download', copy, '--json', json, '--publisher-key', keys.publisher.publicKey]);
    expect(r.code, r.stdout).toBe(0);
    expect(requests.every((q) => q.startsWith('GET '))).toBe(true);
    expect(requests.map((q) => q.slice(4)).sort()).toEqual([
      '/.well-known/contamos.json',
      '/api/v1/publications',
      '/api/v1/publications/1',
      '/api/v1/publications/2',
      '/api/v1/publications/3',
      '/api/v1/releases',
      '/api/v1/releases/anual-1',
      '/api/v1/releases/peru-2023-1',
    ]);
    expect(existsSync(path.join(copy, 'contamos.json'))).toBe(true);
    expect(readdirSync(path.join(copy, 'publications')).sort()).toEqual(['1.json', '2.json', '3.json']);
    expect(readdirSync(path.join(copy, 'releases')).sort()).toEqual(['anual-1.json', 'peru-2023-1.json']);
    const fromServer = JSON.parse(readFileSync(json, 'utf8'));
    expect(fromServer.keys).toEqual([{ keyId: null, source: 'pinned', origin: 'argument 1' }]);
    const json2 = path.join(tempDir(), 'dir.json');
    expect((await inProcess(['--dir', copy, '--json', json2])).code).toBe(0);
    const fromDir = JSON.parse(readFileSync(json2, 'utf8'));
    expect(fromDir.entries.map((x: { computedHash: string }) => x.computedHash)).toEqual(
      fromServer.entries.map((x: { computedHash: string }) => x.computedHash),
    );
    expect(fromDir.global.checked).toEqual(fromServer.global.checked);
  });

  it('notices an entry the server stops listing (the draft that showed Loreto)', async () => {
    hidden.add(2);
    try {
      const r = await inProcess(['--server', url, '--json', '-']);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout);
      expect(report.findings.map((f: { code: string; params: { index?: number } }) => [f.code, f.params.index])).toEqual([['log-gap', 2]]);
    } finally {
      hidden.clear();
    }
  });

  it('says so when the server cannot be reached', async () => {
    const r = await inProcess(['--server', 'http://127.0.0.1:9', '--lang', 'en']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('(source-unreachable)');
  });
});
