// The open-data downloads of real releases cut over the API: the tidy CSV round-trips into exactly
// the cells of the signed manifest, the Frictionless data package validates against the
// specification's own JSON Schema and its Table Schema reads the CSV, the HXL variant carries
// valid hashtags, the operator's licence and citation are in every download, and the zip holds
// every release.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { unzipSync, strFromU8 } from 'fflate';
import { canonicalJson } from '../../crypto/index.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { publish } from '../helpers/releases.js';
import { termsOf } from '../../server/open-data/terms.js';
import { binary, frictionlessValidator, parseCsv, readWithSchema, seedTwoYears } from './helpers.js';

let t: TestApp;
let multi: Awaited<ReturnType<typeof publish>>;
let single: Awaited<ReturnType<typeof publish>>;

beforeAll(async () => {
  t = await startTestApp('sqlite');
  await seedTwoYears(t);
  multi = await publish(t, {
    series: 'anual',
    filter: { years: [2023, 2024] },
    k: 3,
    regionGroups: true,
    tables: [
      ['year', 'region'],
      ['year', 'incidentType'],
    ],
  });
  single = await publish(t, {
    series: 'solo-2024',
    filter: { year: 2024 },
    k: 3,
    tables: [
      ['year', 'incidentType'],
      ['year', 'region'],
    ],
  });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** Rebuilds a release's tables from the tidy CSV alone (plus the domains, for one-code dimensions). */
function tablesFromCsv(rows: Array<Record<string, string>>, manifest: any): Map<string, { count: number | null; suppressed: boolean }>[] {
  const stem = (d: string) => d.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return manifest.tables.map((tb: { dimensions: string[] }, i: number) => {
    const out = new Map<string, { count: number | null; suppressed: boolean }>();
    for (const r of rows) {
      if (!r.tables!.split(' ').includes(String(i + 1))) continue;
      let keys: Array<Record<string, string>> = [Object.fromEntries(tb.dimensions.map((d) => [d, r[`${stem(d)}_code`]!]))];
      for (const d of tb.dimensions) {
        const dom = manifest.domains[d];
        if (dom.length === 1) keys = keys.flatMap((k) => [k, { ...k, [d]: '*' }]);
      }
      const value = { count: r.count === '' ? null : Number(r.count), suppressed: r.status === 'hidden' };
      for (const k of keys) out.set(canonicalJson(k), value);
    }
    return out;
  });
}

describe.each([
  ['two years, region groups', () => multi],
  ['one year', () => single],
])('tidy CSV of a release over %s', (_name, get) => {
  it('round-trips into exactly the cells of the signed manifest', async () => {
    const rel = get();
    const res = await request(t.app).get(`/api/v1/releases/${rel.manifest.id}.csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    // the licence and the data package (with the citation) are linked from the CSV itself
    expect(res.headers.link).toBe(
      `<https://creativecommons.org/licenses/by/4.0/>; rel="license", </api/v1/releases/${rel.manifest.id}/datapackage.json>; rel="describedby"; type="application/json"`,
    );
    const rows = parseCsv(res.text);
    const rebuilt = tablesFromCsv(rows, rel.manifest);
    rel.manifest.tables.forEach((tb: any, i: number) => {
      const want = new Map(tb.cells.map((c: any) => [canonicalJson(c.key), { count: c.count, suppressed: c.suppressed }]));
      // the one-code expansion may add keys the table does not have (e.g. year "*" in a table); keep only real ones
      for (const k of [...rebuilt[i]!.keys()]) if (!want.has(k) && JSON.parse(k).year === '*') rebuilt[i]!.delete(k);
      expect(rebuilt[i]).toEqual(want);
    });
    // and every row is the release's, with a status word and no other text in count
    for (const r of rows) {
      expect(r.release_id).toBe(rel.manifest.id);
      expect(['published', 'hidden']).toContain(r.status);
      expect(r.count).toMatch(r.status === 'hidden' ? /^$/ : /^\d+$/);
    }
  });

  it('has no duplicate row and labels every code in Spanish and English', async () => {
    const rel = get();
    const rows = parseCsv((await request(t.app).get(`/api/v1/releases/${rel.manifest.id}/data.csv`)).text);
    const keys = rows.map((r) =>
      Object.entries(r)
        .filter(([c]) => c.endsWith('_code'))
        .map(([, v]) => v)
        .join('|'),
    );
    expect(new Set(keys).size).toBe(rows.length);
    const lima = rows.find((r) => r.region_code === 'PE-LMA');
    expect(lima).toMatchObject({ region_level: 'item', region_label_es: 'Lima Metropolitana', region_label_en: 'Metropolitan Lima' });
    const homicide = rows.find((r) => r.incident_type_code === 'homicide');
    expect(homicide).toMatchObject({ incident_type_label_es: 'Homicidio / asesinato', incident_type_label_en: 'Homicide' });
  });

  it('keeps levels apart: the items of a dimension add up to its total (at most, when some are hidden)', async () => {
    const rel = get();
    const rows = parseCsv((await request(t.app).get(`/api/v1/releases/${rel.manifest.id}.csv`)).text);
    let exact = 0;
    let bounded = 0;
    for (const [dim, other] of [
      ['incident_type', 'region'],
      ['region', 'incident_type'],
    ] as const) {
      for (const level of ['item', 'group']) {
        for (const total of rows.filter((r) => r[`${dim}_level`] === 'total' && r[`${other}_level`] === 'total' && r.status === 'published')) {
          const items = rows.filter((r) => r.year_code === total.year_code && r[`${other}_level`] === 'total' && r[`${dim}_level`] === level);
          if (items.length === 0) continue;
          const sum = items.reduce((s, r) => s + (r.status === 'hidden' ? 0 : Number(r.count)), 0);
          if (items.some((r) => r.status === 'hidden')) {
            expect(sum).toBeLessThanOrEqual(Number(total.count));
            bounded++;
          } else {
            expect(sum).toBe(Number(total.count));
            exact++;
          }
        }
      }
    }
    expect(exact + bounded).toBeGreaterThan(0);
    expect(bounded).toBeGreaterThan(0); // the small count in Puno is hidden
  });
});

describe('the single-year release', () => {
  it('has one row for the year, not a "Total" row and a "2024" row with the same figure', async () => {
    const rows = parseCsv((await request(t.app).get(`/api/v1/releases/${single.manifest.id}.csv`)).text);
    expect(rows.every((r) => r.year_code === '2024' && r.year_level === 'item')).toBe(true);
    const grand = rows.filter((r) => r.region_level === 'total' && r.incident_type_level === 'total');
    expect(grand).toHaveLength(1);
    expect(grand[0]!.tables).toBe('1 2'); // the grand total of both tables is one figure
  });
});

describe('region groups', () => {
  it('are level "group", apart from the regions', async () => {
    const rows = parseCsv((await request(t.app).get(`/api/v1/releases/${multi.manifest.id}.csv`)).text);
    const groups = rows.filter((r) => r.region_level === 'group');
    expect(new Set(groups.map((r) => r.region_code))).toEqual(new Set(Object.keys(multi.manifest.hierarchies.region)));
    expect(groups.find((r) => r.region_code === 'lima-callao')?.region_label_es).toBe('Lima y Callao');
    expect(rows.filter((r) => r.region_level === 'item').some((r) => r.region_code === 'lima-callao')).toBe(false);
  });
});

describe('HXL variant', () => {
  it('is the tidy CSV with a row of valid HXL hashtags under the header', async () => {
    const id = multi.manifest.id;
    const plain = (await request(t.app).get(`/api/v1/releases/${id}.csv`)).text.split('\r\n');
    const hxl = (await request(t.app).get(`/api/v1/releases/${id}/data-hxl.csv`)).text.split('\r\n');
    expect(hxl[0]).toBe(plain[0]);
    expect(hxl.slice(2)).toEqual(plain.slice(1));
    const tags = hxl[1]!.split(',');
    expect(tags).toHaveLength(plain[0]!.split(',').length);
    for (const tag of tags) expect(tag).toMatch(/^#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$/);
    expect(tags).toContain('#adm1+code');
    expect(tags).toContain('#affected+incidents+num');
  });
});

describe('datapackage.json', () => {
  it('validates against the Frictionless tabular data package profile (JSON Schema, ajv)', async () => {
    const validate = frictionlessValidator('tabular-data-package');
    for (const rel of [multi, single]) {
      const res = await request(t.app).get(`/api/v1/releases/${rel.manifest.id}/datapackage.json`);
      expect(res.status).toBe(200);
      const ok = validate(res.body);
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('the profile is not a rubber stamp: a broken package fails it', async () => {
    const validate = frictionlessValidator('tabular-data-package');
    const good = (await request(t.app).get(`/api/v1/releases/${multi.manifest.id}/datapackage.json`)).body;
    const broken = [
      { ...good, resources: [] },
      { ...good, resources: [{ ...good.resources[0], schema: { fields: [{ name: 'count', type: 'number-ish' }] } }] },
      { ...good, licenses: 'CC-BY-4.0' },
      { ...good, resources: [{ ...good.resources[0], schema: { fields: [{ type: 'string' }] } }] },
      { ...good, profile: 'something-else' },
    ];
    for (const b of broken) expect(validate(b), JSON.stringify(b).slice(0, 300)).toBe(false);
  });

  it('its Table Schema reads the CSV: every row casts, with the declared types and enums', async () => {
    const id = multi.manifest.id;
    const pkg = (await request(t.app).get(`/api/v1/releases/${id}/datapackage.json`)).body;
    const res = pkg.resources[0];
    expect(res.path).toBe('data.csv'); // relative to the package's URL
    const csv = (await request(t.app).get(`/api/v1/releases/${id}/${res.path}`)).text;
    const rows = await readWithSchema(csv, res.schema);
    expect(rows.length).toBe(parseCsv(csv).length);
    expect(
      rows.some((r) => r.count === null && r.status === 'hidden'),
      JSON.stringify(rows.slice(0, 3)),
    ).toBe(true);
    expect(rows.filter((r) => r.status === 'published').every((r) => Number.isInteger(r.count))).toBe(true);
    // and the schema is not vacuous: a wrong status word fails to cast
    const bad = csv.replace(/,published\r\n/, ',publicada\r\n');
    await expect(readWithSchema(bad, res.schema)).rejects.toThrow();
    for (const f of res.schema.fields) expect(f.description.length).toBeGreaterThan(10);
  });

  it('carries the licence, the citation, the hash and the signature of the signed release', async () => {
    const pkg = (await request(t.app).get(`/api/v1/releases/${multi.manifest.id}/datapackage.json`)).body;
    expect(pkg.licenses).toEqual([
      { name: 'CC-BY-4.0', title: 'Creative Commons Attribution 4.0 International', path: 'https://creativecommons.org/licenses/by/4.0/' },
    ]);
    expect(pkg.contributors[0].title).toBe('Coalición Contamos');
    expect(pkg.citation).toContain('Coalición Contamos');
    expect(pkg.citation).toContain(multi.manifest.id);
    expect(pkg.citation).toContain(multi.hash);
    expect(pkg.provenance.hash.value).toBe(multi.hash);
    expect(pkg.provenance.signature).toEqual({ algorithm: 'ed25519', keyId: multi.signature.keyId, value: multi.signature.value });
    expect(pkg.provenance.merkleRoot).toBe(multi.manifest.merkle.root);
  });

  it('follows the operator’s licence and citation', async () => {
    const before = t.ctx.terms;
    t.ctx.terms = termsOf({ coalition: 'Red de Prueba', licence: 'CC0-1.0', citation: '{coalition}: {id} ({date})', publicUrl: 'https://datos.example/' });
    try {
      const pkg = (await request(t.app).get(`/api/v1/releases/${single.manifest.id}/datapackage.json`)).body;
      expect(pkg.licenses[0]).toMatchObject({ name: 'CC0-1.0', path: 'https://creativecommons.org/publicdomain/zero/1.0/' });
      expect(pkg.citation).toBe(`Red de Prueba: ${single.manifest.id} (${single.manifest.publishedOn})`);
      expect(pkg.homepage).toBe(`https://datos.example/estadisticas/${single.manifest.id}`);
      expect(frictionlessValidator('tabular-data-package')(pkg)).toBe(true);
    } finally {
      t.ctx.terms = before;
    }
  });
});

describe('refusals', () => {
  it('answers 400 for a malformed id and 404 for an unknown release, on every download', async () => {
    for (const suffix of ['/datapackage.json', '/data.csv', '/data-hxl.csv']) {
      const bad = await request(t.app).get(`/api/v1/releases/NOT_AN_ID${suffix}`);
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('invalid_path');
      const none = await request(t.app).get(`/api/v1/releases/nada-9${suffix}`);
      expect(none.status).toBe(404);
      expect(none.body.error.code).toBe('release_not_found');
    }
  });
});

describe('releases.zip', () => {
  it('holds every release as a valid data package with the same files the URLs serve', async () => {
    const res = await request(t.app).get('/api/v1/releases.zip').buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const files = unzipSync(new Uint8Array(res.body as Buffer));
    const validate = frictionlessValidator('tabular-data-package');
    for (const rel of [multi, single]) {
      const id = rel.manifest.id;
      const dir = `contamos-releases/${id}/`;
      expect(validate(JSON.parse(strFromU8(files[`${dir}datapackage.json`]!)))).toBe(true);
      expect(Buffer.from(files[`${dir}data.csv`]!).toString('utf8')).toBe((await request(t.app).get(`/api/v1/releases/${id}/data.csv`)).text);
      expect(Buffer.from(files[`${dir}data-hxl.csv`]!).toString('utf8')).toBe((await request(t.app).get(`/api/v1/releases/${id}/data-hxl.csv`)).text);
      expect(JSON.parse(strFromU8(files[`${dir}release.json`]!))).toEqual(rel);
    }
    const readme = strFromU8(files['contamos-releases/README.txt']!);
    expect(readme).toContain('CC-BY-4.0');
    expect(readme).toContain(multi.hash);
    // the same bytes twice: the archive is deterministic
    const again = await request(t.app).get('/api/v1/releases.zip').buffer(true).parse(binary);
    expect(Buffer.compare(again.body as Buffer, res.body as Buffer)).toBe(0);
  });
});
