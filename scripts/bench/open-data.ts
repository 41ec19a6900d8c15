// Benchmark `npm run bench:open-data`: the open-data downloads of a large release — the tidy CSV,
// the HXL CSV, the data package, the statistics page, a trend chart's SVG and PNG, and the zip of
// ten such releases — each next to a baseline measured in the same run: serialising the signed
// envelope as JSON (what GET /api/v1/releases/:id costs). The release is synthetic: years
// 2020–2024 × 27 regions (with their 5 groups) and years × 11 incident types × 5 genders, with
// margins and a share of hidden cells, about 5,600 cells. Prints milliseconds per operation (the
// median of rounds) and the ratio to the baseline.
import { canonicalJson } from '../../crypto/index.js';
import { hxlCsv, tidyCsv } from '../../server/open-data/csv.js';
import { dataPackage } from '../../server/open-data/datapackage.js';
import { termsOf } from '../../server/open-data/terms.js';
import { releasesZip } from '../../server/open-data/zip.js';
import type { Envelope } from '../../server/services/releases.js';
import { codesOf, incidentTypes, regionGroups, regions, victimGenders } from '../../server/taxonomy/taxonomy.js';
import { svgToPng } from '../../server/web/png.js';
import { releaseSection } from '../../server/web/stats-page.js';
import { trendSpecs, trendSvgFile } from '../../server/web/trend-charts.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

export function synthetic(id: number): Envelope {
  const years = ['2020', '2021', '2022', '2023', '2024'];
  const groups = Object.fromEntries(regionGroups.filter((g) => g.code !== 'unknown').map((g) => [g.code, g.members]));
  const table = (dims: string[], domains: Record<string, string[]>) => {
    let keys: Array<Record<string, string>> = [{}];
    for (const d of dims) keys = keys.flatMap((k) => ['*', ...domains[d]!].map((v) => ({ ...k, [d]: v })));
    return {
      dimensions: dims,
      cells: keys.map((key) => {
        // the same figure in two tables (the totals) gets the same value, as in a real release
        const q = ['year', 'region', 'incidentType', 'victimGender'].map((d) => key[d] ?? '*').join('|');
        let h = id;
        for (const ch of q) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
        const hidden = h % 100 < 15;
        return { key, count: hidden ? null : h % 200, suppressed: hidden };
      }),
    };
  };
  const domains = {
    year: years,
    region: [...codesOf(regions), ...Object.keys(groups)],
    incidentType: codesOf(incidentTypes),
    victimGender: codesOf(victimGenders),
  };
  const manifest = {
    type: 'contamos-release',
    formatVersion: 2,
    id: `anual-${id}`,
    series: 'anual',
    sequence: id,
    previousHash: null,
    publication: { index: id, previousHash: null },
    publishedOn: '2026-11-28',
    taxonomyVersion: '2026.1',
    request: {},
    method: 'suppression',
    k: 5,
    protection: 5,
    data: years.map((y) => ({ year: Number(y), version: 1, since: null, heldBack: false })),
    hierarchies: { region: groups },
    domains: { ...domains, region: codesOf(regions) },
    merkle: { scheme: 'contamos-smt-sha256', root: 'a'.repeat(64) },
    tables: [table(['year', 'region'], domains), table(['year', 'incidentType', 'victimGender'], domains), table(['year', 'region', 'incidentType'], domains)],
  } as unknown as Envelope['manifest'];
  return { manifest, hash: 'b'.repeat(64), signature: { keyId: 'publisher-bench', alg: 'ed25519', value: 'c'.repeat(86) + '==' } };
}

async function time(f: () => unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const env = synthetic(1);
  const ten = Array.from({ length: 10 }, (_, i) => synthetic(i + 1));
  const terms = termsOf();
  const cells = env.manifest.tables.reduce((n, t) => n + t.cells.length, 0);
  const spec = trendSpecs(env.manifest, 'es').specs[0]!;
  const ops: Array<[string, () => unknown]> = [
    ['baseline: JSON of the signed envelope', () => JSON.stringify(env)],
    ['canonical JSON of the manifest', () => canonicalJson(env.manifest)],
    ['tidy CSV', () => tidyCsv(env.manifest)],
    ['HXL CSV', () => hxlCsv(env.manifest)],
    ['datapackage.json', () => JSON.stringify(dataPackage(env, terms))],
    ['statistics page section', () => releaseSection(env as never, 'es', terms).value],
    ['trend chart SVG', () => trendSvgFile(spec, 'es')],
    ['trend chart PNG (resvg)', () => svgToPng(trendSvgFile(spec, 'es'))],
    ['zip of 10 releases (files and deflate)', () => releasesZip(ten, terms)],
    [
      '  of which building the files',
      () => ten.map((e) => [tidyCsv(e.manifest), hxlCsv(e.manifest), JSON.stringify(dataPackage(e, terms)), JSON.stringify(e)]),
    ],
  ];
  for (const [, f] of ops) await f(); // warm-up (and the renderer's first load)
  console.log(
    `open-data downloads of a synthetic release of ${cells} cells (${tidyCsv(env.manifest).split('\r\n').length - 2} CSV rows), median of ${ROUNDS} rounds`,
  );
  const results: Array<[string, number]> = [];
  for (const [name, f] of ops) {
    const ms: number[] = [];
    for (let i = 0; i < ROUNDS; i++) ms.push(await time(f));
    results.push([name, median(ms)]);
  }
  const base = results[0]![1];
  const width = Math.max(...results.map(([n]) => n.length));
  for (const [name, ms] of results) console.log(`  ${name.padEnd(width)}  ${ms.toFixed(2).padStart(9)} ms  ×${(ms / base).toFixed(1)}`);
  const zip = releasesZip(ten, terms);
  console.log(
    `  zip size: ${(zip.length / 1024).toFixed(0)} KiB for 10 releases; PNG size: ${((await svgToPng(trendSvgFile(spec, 'es'))).length / 1024).toFixed(1)} KiB`,
  );
  console.log(`  peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
}

if (process.argv[1]?.endsWith('open-data.ts')) await main();
