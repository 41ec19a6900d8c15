// Guarantees 1–4 on hand-made version-2 logs: signatures (pinned keys, a signed release that is not
// its log entry), the log chain and the series chains (drafts excluded), data versions, k and p
// fixed per series, the threshold. The good log passes; each kind of tampering is caught.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, serializeKeyFile } from '../../crypto/index.js';
import {
  type EntrySpec,
  type Keys,
  type LogEntryFixture,
  type World,
  audit,
  buildLog,
  cleanTemp,
  codes,
  failureCodes,
  makeKeys,
  plus,
  resign,
  tempDir,
  wellKnown,
  world,
  writeLog,
} from './fixtures.js';

afterAll(cleanTemp);

let keys: Keys;
beforeAll(async () => {
  keys = await makeKeys();
});

const base = { 'PE-LMA': 40, 'PE-CUS': 12, 'PE-PUN': 9 };
const W: World = world(
  { region: ['PE-LMA', 'PE-CUS', 'PE-PUN'] },
  {
    '2023': [
      { since: null, counts: base },
      { since: 'additions', counts: plus(base, { 'PE-LMA': 5 }) },
    ],
    '2024': [{ since: null, counts: { 'PE-LMA': 30, 'PE-CUS': 7, 'PE-PUN': 0 } }],
  },
);
const YR = [['year', 'region']];
/** anual-1 (2023 v1), a draft of anual-2, anual-2 (2023 v2), tendencias... a small valid log. */
const SPECS: EntrySpec[] = [
  { series: 'anual', years: { '2023': 1 }, tables: YR },
  { series: 'anual', kind: 'draft', years: { '2023': 2 }, tables: YR },
  { series: 'anual', years: { '2023': 2 }, tables: YR },
  { series: 'solo-2024', years: { '2024': 1 }, tables: YR },
  { series: 'anual', years: { '2023': 2 }, tables: YR },
];
const good = () => buildLog(keys, W, SPECS);
const run = (log: LogEntryFixture[], opts: Parameters<typeof writeLog>[2] = {}, auditOpts: Parameters<typeof audit>[0] = {}) =>
  audit({ dir: writeLog(keys, log, opts), ...auditOpts });

describe('a valid log', () => {
  it('passes, with drafts in the log but not in the series chains', async () => {
    const r = await run(good());
    expect(r.findings).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.log).toMatchObject({ entries: 5, releases: 4, drafts: 1, lastIndex: 5, unbroken: true });
    expect(r.entries.map((e) => [e.index, e.id, e.kind, e.signatureValid])).toEqual([
      [1, 'anual-1', 'release', true],
      [2, 'anual-2', 'draft', null],
      [3, 'anual-2', 'release', true],
      [4, 'solo-2024-1', 'release', true],
      [5, 'anual-3', 'release', true],
    ]);
    expect(r.series).toEqual([
      { series: 'anual', method: 'suppression', releases: 3, drafts: 1, lastSequence: 3, unbroken: true },
      { series: 'solo-2024', method: 'suppression', releases: 1, drafts: 0, lastSequence: 1, unbroken: true },
    ]);
    expect(r.versions).toEqual([
      {
        year: 2023,
        versions: [
          { version: 1, since: null, firstIndex: 1 },
          { version: 2, since: 'additions', firstIndex: 2 },
        ],
      },
      { year: 2024, versions: [{ version: 1, since: null, firstIndex: 4 }] },
    ]);
    expect(Object.values(r.checks).filter((s) => s === 'fail')).toEqual([]);
  });

  it('refuses a version-1 manifest', async () => {
    const log = good();
    log[3]!.manifest.formatVersion = 1;
    const r = await run([...log.slice(0, 3), resign(keys, log[3]!), ...log.slice(4)]);
    expect(failureCodes(r)).toContain('publication-invalid');
    expect(r.findings.find((f) => f.code === 'publication-invalid')!.message).toMatch(/version 2/);
  });
});

describe('signatures', () => {
  it('uses only the pinned publisher keys: a server that swapped its key document cannot pass its own releases', async () => {
    // The server signs with its own key and announces it under the publisher's keyId.
    const impostor: Keys = { ...keys, publisher: { ...generateSigningKeyPair(), keyId: keys.publisher.keyId } };
    const log = buildLog(impostor, W, SPECS);
    const dir = writeLog(impostor, log);
    expect((await audit({ dir })).checks.signatures).toBe('pass'); // trusting the downloaded document
    const pinned = await audit({ dir, publisherKeys: [keys.publisher.publicKey] });
    expect(pinned.checks.signatures).toBe('fail');
    expect(codes(pinned).filter((c) => c.startsWith('signature') || c.startsWith('publisher'))).toEqual([
      'publisher-key-unpinned',
      ...Array(4).fill('signature-unpinned-key'),
    ]);
    expect(pinned.findings.find((f) => f.code === 'signature-unpinned-key')!.params.inKeyDocument).toBe(true);
  });

  it('accepts a pinned key given as a key file or as base64, and passes the genuine log', async () => {
    const d = tempDir();
    const file = path.join(d, 'publisher.pub.json');
    writeFileSync(
      file,
      serializeKeyFile({ kind: 'contamos-key', version: 1, role: 'publisher', keyId: keys.publisher.keyId, signing: { publicKey: keys.publisher.publicKey } }),
    );
    const b64 = path.join(d, 'publisher.b64');
    writeFileSync(b64, `${keys.publisher.publicKey}\n`);
    const dir = writeLog(keys, good());
    for (const pin of [file, b64, keys.publisher.publicKey]) {
      const r = await audit({ dir, publisherKeys: [pin] });
      expect(r.findings, pin).toEqual([]);
      expect(r.keys[0]!.source).toBe('pinned');
    }
    await expect(audit({ dir, publisherKeys: ['not-a-key'] })).rejects.toThrow(/publisher-key/);
  });

  it('catches a forged signature and a signature by an unknown key', async () => {
    const log = good();
    const forged = { ...log[2]!, signature: { ...log[2]!.signature!, value: log[0]!.signature!.value } };
    const other = resign({ ...keys, publisher: { ...generateSigningKeyPair(), keyId: 'someone-else' } }, log[3]!);
    const r = await run([log[0]!, log[1]!, forged, other, log[4]!]);
    expect(failureCodes(r)).toEqual(expect.arrayContaining(['signature-invalid', 'signature-unknown-key']));
    expect(r.findings.filter((f) => f.code === 'signature-invalid').map((f) => f.release)).toEqual(['#3 anual-2']);
  });

  it('catches an edited count (hash mismatch, and the signature no longer verifies)', async () => {
    const log = good();
    const edited = structuredClone(log[3]!);
    const cells = (edited.manifest.tables as Array<{ cells: Array<{ count: number | null }> }>)[0]!.cells;
    cells.find((c) => c.count === 30)!.count = 31;
    const r = await run([log[0]!, log[1]!, log[2]!, edited, log[4]!]);
    expect(failureCodes(r)).toEqual(expect.arrayContaining(['hash-mismatch', 'signature-invalid']));
  });

  it('catches a signed release that is not, byte for byte, its log entry', async () => {
    const log = good();
    const dir = writeLog(keys, log);
    // The release copy served at /api/v1/releases/anual-1 has another (re-signed) manifest.
    const copy = structuredClone(log[0]!);
    (copy.manifest as { publishedOn: string }).publishedOn = '2026-12-31';
    const resigned = resign(keys, copy);
    writeFileSync(
      path.join(dir, 'releases', 'anual-1.json'),
      JSON.stringify({ manifest: resigned.manifest, hash: resigned.hash, signature: resigned.signature }),
    );
    const r = await audit({ dir });
    expect(r.findings.filter((f) => f.code === 'release-log-mismatch').map((f) => f.params.problem)).toEqual(['different']);
    // A signed log entry missing from the releases, and a draft passed off as a release.
    rmSync(path.join(dir, 'releases', 'anual-1.json'));
    const missing = await audit({ dir });
    expect(missing.findings.map((f) => [f.code, f.params.problem])).toEqual(
      expect.arrayContaining([
        ['release-listing-mismatch', 'not-among-releases'],
        ['release-listing-mismatch', 'listed-not-available'],
      ]),
    );
  });
});

describe('chains', () => {
  it('catches a gap in the log (here also a gap in its series) and a broken log link', async () => {
    const log = good();
    const gap = await run([log[0]!, log[1]!, log[3]!, log[4]!]);
    expect(failureCodes(gap)).toEqual(['chain-gap', 'chain-link', 'log-gap']);
    expect(gap.findings.find((f) => f.code === 'log-gap')!.params.index).toBe(3);
    const broken = buildLog(keys, W, [SPECS[0]!, { ...SPECS[3]!, edit: (m) => Object.assign(m, { publication: { index: 2, previousHash: 'd'.repeat(64) } }) }]);
    expect(failureCodes(await run(broken))).toEqual(['log-link']);
  });

  it('catches a reordered log (each entry re-signed with its new place)', async () => {
    const log = good();
    const swapped = [log[0]!, log[1]!, log[2]!, log[4]!, log[3]!].map((e, i) => ({ ...e, index: i + 1 }));
    const r = await run(swapped);
    expect(failureCodes(r)).toEqual(expect.arrayContaining(['log-index', 'log-link']));
  });

  it('catches a series gap, a fork, a bad draft number and a broken series link', async () => {
    const gap = buildLog(keys, W, [SPECS[0]!, { ...SPECS[2]!, edit: (m) => Object.assign(m, { sequence: 3, id: 'anual-3' }) }]);
    expect(failureCodes(await run(gap))).toEqual(['chain-gap']);
    const fork = buildLog(keys, W, [SPECS[0]!, SPECS[2]!, { ...SPECS[2]!, edit: (m) => Object.assign(m, { sequence: 2, id: 'anual-2' }) }]);
    expect(failureCodes(await run(fork))).toEqual(expect.arrayContaining(['chain-fork']));
    const draft = buildLog(keys, W, [SPECS[0]!, { ...SPECS[1]!, edit: (m) => Object.assign(m, { sequence: 5, id: 'anual-5' }) }]);
    expect(failureCodes(await run(draft))).toEqual(['chain-sequence']);
    const link = buildLog(keys, W, [SPECS[0]!, { ...SPECS[2]!, edit: (m) => Object.assign(m, { previousHash: 'a'.repeat(64) }) }]);
    expect(failureCodes(await run(link))).toEqual(['chain-link']);
  });

  it('catches a listing that does not say what the log holds', async () => {
    const log = good();
    const dir = writeLog(keys, log);
    const listing = JSON.parse(readFileSync(path.join(dir, 'publications.json'), 'utf8'));
    listing.items[1].kind = 'release'; // the draft, listed as signed
    listing.items[3].hash = 'c'.repeat(64);
    writeFileSync(path.join(dir, 'publications.json'), JSON.stringify(listing));
    const r = await audit({ dir });
    expect(r.findings.filter((f) => f.code === 'log-listing-mismatch').map((f) => [f.params.index, f.params.fields])).toEqual([
      [2, 'kind=release'],
      [4, 'hash'],
    ]);
  });

  it('catches an id that is not series-sequence', async () => {
    const log = buildLog(keys, W, [{ ...SPECS[0]!, edit: (m) => Object.assign(m, { id: 'anual-01' }) }]);
    expect(failureCodes(await run(log))).toEqual(expect.arrayContaining(['id-mismatch']));
  });
});

describe('versions and series parameters', () => {
  it('catches a version used before the previous one, and two different "since" for one version', async () => {
    const gap = buildLog(keys, W, [{ series: 'anual', years: { '2023': 2 }, tables: YR }]);
    expect(failureCodes(await run(gap))).toEqual(['version-gap']);
    const since = buildLog(keys, W, [SPECS[0]!, SPECS[2]!, { ...SPECS[4]!, edit: (m) => ((m.data as Array<{ since: string }>)[0]!.since = 'changes') }]);
    const r = await run(since);
    expect(r.findings.filter((f) => f.code === 'version-since').map((f) => f.params.problem)).toEqual(['differs']);
  });

  it('warns about an older version counted without heldBack, and accepts it with heldBack', async () => {
    const unmarked = await run(buildLog(keys, W, [SPECS[0]!, SPECS[2]!, { series: 'otra', years: { '2023': 1 }, tables: YR }]));
    expect(codes(unmarked)).toEqual(['version-held-back-unmarked']);
    expect(unmarked.ok).toBe(true);
    const marked = await run(buildLog(keys, W, [SPECS[0]!, SPECS[2]!, { series: 'otra', years: { '2023': 1 }, tables: YR, heldBack: ['2023'] }]));
    expect(marked.findings).toEqual([]);
  });

  it('catches data years that are not the filter years', async () => {
    const log = buildLog(keys, W, [{ ...SPECS[0]!, edit: (m) => ((m.domains as { year: string[] }).year = ['2023', '2024']) }]);
    expect(failureCodes(await run(log))).toEqual(expect.arrayContaining(['data-years']));
  });

  it('catches k or p changed within a series (drafts included) and a method change', async () => {
    const kChanged = buildLog(keys, W, [SPECS[0]!, { ...SPECS[0]!, kind: 'draft', k: 6 }]);
    const r = await run(kChanged);
    expect(failureCodes(r)).toEqual(['series-parameters']);
    expect(r.findings[0]!.params).toMatchObject({ series: 'anual', k: 5, nowK: 6, from: '#1 anual-1' });
    const pChanged = buildLog(keys, W, [SPECS[0]!, { ...SPECS[2]!, protection: 3 }]);
    expect(failureCodes(await run(pChanged))).toEqual(['series-parameters']);
    const method = buildLog(keys, W, [SPECS[0]!, { ...SPECS[2]!, method: 'dp', rho: '1/2' }]);
    expect(failureCodes(await run(method))).toEqual(['series-method']);
  });

  it('takes the minimum k from --min-k', async () => {
    const log = buildLog(keys, W, [{ ...SPECS[0]!, k: 6 }]);
    expect(failureCodes(await run(log, {}, { minK: 7 }))).toEqual(['k-below-minimum']);
    expect(failureCodes(await run(log))).toEqual([]);
  });
});

describe('threshold', () => {
  it('catches a published count in 1..k−1, in a release or a draft', async () => {
    const w = world({ region: ['PE-LMA', 'PE-CUS'] }, { '2023': [{ since: null, counts: { 'PE-LMA': 40, 'PE-CUS': 3 } }] });
    const r = await run(buildLog(keys, w, [{ series: 'anual', kind: 'draft', years: { '2023': 1 }, tables: YR }]));
    expect(r.findings.filter((f) => f.code === 'threshold').map((f) => [f.release, f.params.cell, f.params.count])).toEqual([
      ['#1 anual-1', '2023 · region=PE-CUS', 3],
    ]);
    expect(wellKnown(keys)).toBeTruthy();
  });
});
