// Check 1 (signatures and hash chain): the good series passes; each kind of tampering is caught.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../crypto/index.js';
import {
  type Envelope, type Keys, RECTANGLE, audit, codes, failureCodes, goodSeries, makeKeys, makeManifest, sign, spec3x3, writeFolder, cleanTemp,
} from './fixtures.js';

afterAll(cleanTemp);

let keys: Keys;
let series: Envelope[];

beforeAll(async () => {
  keys = await makeKeys();
  series = goodSeries(keys, 3);
});

describe('authenticity', () => {
  it('passes a correct series, with the listing', async () => {
    const report = await audit({ dir: writeFolder(keys, series, { listing: true }) });
    expect(codes(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checks.authenticity).toBe('pass');
    expect(report.releases.map((r) => [r.id, r.signatureValid, r.hashValid])).toEqual([
      ['anual-1', true, true],
      ['anual-2', true, true],
      ['anual-3', true, true],
    ]);
    expect(report.series).toEqual([{ series: 'anual', releases: 3, lastSequence: 3, unbroken: true }]);
  });

  it('catches a forged signature (signed by someone else under the publisher key id)', async () => {
    const intruder = { ...generateSigningKeyPair(), keyId: keys.publisher.keyId };
    const forged = sign(makeManifest(spec3x3(), { sequence: 2, previousHash: series[0]!.hash }), intruder);
    const report = await audit({ dir: writeFolder(keys, [series[0]!, forged, series[2]!]) });
    expect(failureCodes(report)).toContain('signature-invalid');
    expect(report.findings.find((f) => f.code === 'signature-invalid')!.release).toBe('anual-2');
    expect(report.exitCode).toBe(1);
  });

  it('catches a signature by a key that is not published', async () => {
    const other = { ...generateSigningKeyPair(), keyId: 'publisher-unknown' };
    const report = await audit({ dir: writeFolder(keys, [sign(makeManifest(spec3x3()), other)]) });
    expect(failureCodes(report)).toEqual(['signature-unknown-key']);
  });

  it('catches an edited manifest (hash mismatch, and the signature no longer verifies)', async () => {
    const edited: Envelope = structuredClone(series[1]!);
    const tables = edited.manifest.tables as Array<{ cells: Array<{ count: number | null }> }>;
    const cell = tables[0]!.cells.find((c) => c.count === 12)!;
    cell.count = 13;
    const report = await audit({ dir: writeFolder(keys, [series[0]!, edited, series[2]!]) });
    expect(failureCodes(report)).toEqual(expect.arrayContaining(['hash-mismatch', 'signature-invalid']));
    expect(report.findings.filter((f) => f.code === 'hash-mismatch').map((f) => f.release)).toEqual(['anual-2']);
  });

  it('catches a gap in the chain', async () => {
    const report = await audit({ dir: writeFolder(keys, [series[0]!, series[2]!]) });
    expect(failureCodes(report)).toEqual(['chain-gap']);
    expect(report.findings[0]!.params).toMatchObject({ series: 'anual', sequence: 2 });
  });

  it('catches a missing first release', async () => {
    const report = await audit({ dir: writeFolder(keys, [series[1]!, series[2]!]) });
    expect(failureCodes(report)).toEqual(['chain-gap']);
    expect(report.findings[0]!.params).toMatchObject({ sequence: 1 });
  });

  it('catches a fork (two different releases with the same series and sequence)', async () => {
    const other = sign(makeManifest(spec3x3(RECTANGLE, { 'PE-PUN/homicide': 7 }), { sequence: 2, previousHash: series[0]!.hash }), keys.publisher);
    const report = await audit({ dir: writeFolder(keys, [series[0]!, series[1]!, { file: 'anual-2-bis.json', envelope: other }, series[2]!]) });
    expect(failureCodes(report)).toContain('chain-fork');
  });

  it('catches a reordered chain (sequence numbers swapped, each re-signed)', async () => {
    // Built in the order A, B, C; published with B numbered 3 and C numbered 2.
    const a = series[0]!;
    const b = sign(makeManifest(spec3x3(RECTANGLE, { 'PE-CUS/extortion': 5 }), { sequence: 3, previousHash: a.hash, publishedOn: '2026-02-15' }), keys.publisher);
    const c = sign(makeManifest(spec3x3(RECTANGLE, { 'PE-CUS/extortion': 10 }), { sequence: 2, previousHash: b.hash, publishedOn: '2026-03-15' }), keys.publisher);
    const report = await audit({ dir: writeFolder(keys, [a, b, c]) });
    expect(failureCodes(report)).toEqual(['chain-link', 'chain-link']);
    expect(codes(report)).toContain('chain-date-order');
  });

  it('catches a broken previousHash and a non-null previousHash on release 1', async () => {
    const bad1 = sign(makeManifest(spec3x3(), { sequence: 1, previousHash: 'a'.repeat(64) }), keys.publisher);
    const bad2 = sign(makeManifest(spec3x3(RECTANGLE, { 'PE-CUS/extortion': 5 }), { sequence: 2, previousHash: 'b'.repeat(64) }), keys.publisher);
    const report = await audit({ dir: writeFolder(keys, [bad1, bad2]) });
    expect(failureCodes(report)).toEqual(['chain-link', 'chain-link']);
  });

  it('catches an id that is not series-sequence, and a file saved under another id', async () => {
    const m = makeManifest(spec3x3());
    m.id = 'anual-01';
    const report = await audit({ dir: writeFolder(keys, [{ file: 'anual-01.json', envelope: sign(m, keys.publisher) }]) });
    expect(failureCodes(report)).toEqual(['id-mismatch']);
    const renamed = await audit({ dir: writeFolder(keys, [{ file: 'anual-9.json', envelope: series[0]! }]) });
    expect(failureCodes(renamed)).toEqual(['id-mismatch']);
  });

  it('catches a listing that does not match the releases', async () => {
    const dir = writeFolder(keys, series, { listing: true });
    writeFileSync(
      path.join(dir, 'releases.json'),
      JSON.stringify({ items: series.map((e, i) => ({ id: e.manifest.id, series: 'anual', sequence: i + 1, hash: i === 1 ? 'c'.repeat(64) : e.hash })) }),
    );
    const report = await audit({ dir });
    expect(failureCodes(report)).toEqual(['listing-mismatch']);
  });

  it('refuses a release that does not follow the format, and still checks the rest', async () => {
    const dir = writeFolder(keys, series);
    writeFileSync(path.join(dir, 'releases', 'zz-broken.json'), '{"manifest": {"type": "other"}, "hash": "x", "signature": {"keyId": "a", "alg": "ed25519", "value": "b"}}');
    const report = await audit({ dir });
    expect(failureCodes(report)).toEqual(expect.arrayContaining(['release-invalid', 'signature-unknown-key', 'hash-mismatch']));
    expect(report.releases.filter((r) => r.signatureValid)).toHaveLength(3);
  });
});
