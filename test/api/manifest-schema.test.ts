// One manifest shape: the manifests a real server emits (a suppression release over two years with
// region groups and hidden cells, a differential-privacy release, a draft left unsigned) are exactly
// what the zod schema (server/schemas/manifest.ts) accepts, what the OpenAPI document's
// ReleaseManifest component and its response schemas (generated from that schema) accept, and what
// the independent auditor's own copy (scripts/audit/format.ts) accepts. And the zod schema and the
// OpenAPI component give the same verdict on manifests altered the way a drifting declaration would
// differ (a field missing, renamed, added, of another type or value), so neither can drift from the
// other unnoticed.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { canonicalJson } from '../../crypto/index.js';
import { releaseEnvelope, releaseId, releaseManifest } from '../../server/schemas/manifest.js';
import { parseManifest, releaseEnvelopeSchema } from '../../scripts/audit/format.js';
import { signed, startTestApp, type TestApp } from '../helpers/app.js';
import { publish } from '../helpers/releases.js';
import { seedTwoYears } from '../open-data/helpers.js';

type Json = Record<string, any>;
type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default as new (o: object) => { compile(s: unknown): Validate };

let t: TestApp;
let doc: Json;
const manifests: Array<{ what: string; manifest: Json }> = [];
const envelopes: Json[] = [];

beforeAll(async () => {
  t = await startTestApp('sqlite', { dpBounds: { totalRho: '1', maxRho: '0.5' }, minK: 3, rateLimitPerMinute: 1000 });
  await seedTwoYears(t);
  const groups = await publish(t, {
    series: 'anual',
    filter: { years: [2023, 2024] },
    tables: [
      ['year', 'region'],
      ['year', 'incidentType'],
    ],
    regionGroups: true,
    k: 3,
  });
  const dp = await publish(t, { series: 'ruido', method: 'dp', filter: { year: 2024 }, tables: [['year', 'incidentType']], rho: '0.25', keepTotal: false });
  const draft = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, {
    series: 'borrador',
    filter: { year: 2023 },
    tables: [['year', 'victimGender']],
    k: 3,
  });
  expect(draft.status).toBe(201);
  for (const id of [groups.manifest.id, dp.manifest.id]) {
    const res = await request(t.app).get(`/api/v1/releases/${id}`);
    expect(res.status).toBe(200);
    envelopes.push(res.body);
    manifests.push({ what: id, manifest: res.body.manifest });
  }
  const entry = await request(t.app).get('/api/v1/publications/3');
  expect(entry.body.signature).toBeNull(); // the draft, as the log serves it
  manifests.push({ what: 'draft', manifest: entry.body.manifest });
  doc = (await request(t.app).get('/api/v1/openapi.json')).body;
});
afterAll(async () => {
  await t?.close();
});

const ajvFor = (schema: unknown): Validate => new Ajv2020({ allErrors: true, strict: true }).compile(schema);
/** zod accepts the value as it is (nothing stripped, nothing defaulted): the server's output shape. */
const zodAccepts = (m: unknown): boolean => {
  const r = releaseManifest.safeParse(m);
  return r.success && canonicalJson(r.data) === canonicalJson(m);
};

describe('the manifest a real server emits', () => {
  it('covers both methods, hidden cells, region groups, DP fields and a draft', () => {
    const [groups, dp] = manifests.map((x) => x.manifest);
    expect(groups!.method).toBe('suppression');
    expect(Object.keys(groups!.hierarchies)).toEqual(['region']);
    expect(groups!.tables.flatMap((tb: Json) => tb.cells).some((c: Json) => c.suppressed)).toBe(true);
    expect(dp!.method).toBe('dp');
    expect(dp!.dp.ledger.charged).toBe('0.25');
    expect(dp!.tables[0].cells[0].errorMargin90).toBeGreaterThan(0);
    expect(manifests.map((x) => x.what)).toEqual(['anual-1', 'ruido-1', 'draft']);
  });

  it('is exactly what the zod schema accepts (nothing stripped or added), its id a release id', () => {
    for (const { what, manifest } of manifests) {
      expect(zodAccepts(manifest), what).toBe(true);
      expect(releaseId.safeParse(manifest.id).success, what).toBe(true);
    }
    for (const env of envelopes) expect(releaseEnvelope.parse(env)).toEqual(env);
  });

  it('validates against the OpenAPI ReleaseManifest component and the response schemas that embed it', () => {
    const component = doc.components.schemas.ReleaseManifest;
    expect([...component.properties.merkle.required].sort()).toEqual(['root', 'scheme']);
    const validate = ajvFor(component);
    for (const { what, manifest } of manifests) expect(validate(manifest), `${what}: ${JSON.stringify(validate.errors)}`).toBe(true);
    const envelopeSchema = doc.paths['/api/v1/releases/{id}'].get.responses['200'].content['application/json'].schema;
    expect(envelopeSchema.properties.manifest).toEqual(component);
    expect(doc.paths['/api/v1/releases'].post.responses['201'].content['application/json'].schema.properties.manifest).toEqual(component);
    expect(doc.paths['/api/v1/publications/{index}'].get.responses['200'].content['application/json'].schema.properties.manifest).toEqual(component);
    const validateEnvelope = ajvFor(envelopeSchema);
    for (const env of envelopes) expect(validateEnvelope(env), JSON.stringify(validateEnvelope.errors)).toBe(true);
  });

  it('is accepted by the independent auditor’s own copy of the format', () => {
    for (const { what, manifest } of manifests) {
      const parsed = parseManifest(manifest);
      expect(parsed.ok ? 'ok' : parsed.problem, what).toBe('ok');
    }
    for (const env of envelopes) expect(releaseEnvelopeSchema.safeParse(env).success).toBe(true);
  });
});

describe('the zod schema and the OpenAPI component agree', () => {
  /** Altered copies of a real manifest, each the kind of difference two drifting declarations have. */
  function altered(m: Json): Array<[string, Json]> {
    const copy = (): Json => structuredClone(m);
    const out: Array<[string, Json]> = [];
    for (const field of Object.keys(m)) {
      const c = copy();
      delete c[field];
      out.push([`without ${field}`, c]);
      const n = copy();
      n[field] = field === 'request' ? 'text' : { unexpected: true };
      out.push([`${field} of another type`, n]);
    }
    const add = (what: string, change: (c: Json) => void) => {
      const c = copy();
      change(c);
      out.push([what, c]);
    };
    add('an extra field', (c) => {
      c.leafCount = 3;
    });
    add('an extra merkle field', (c) => {
      c.merkle.size = 3;
    });
    add('a renamed merkle root', (c) => {
      c.merkle.hash = c.merkle.root;
      delete c.merkle.root;
    });
    add('an upper-case hash', (c) => {
      c.merkle.root = c.merkle.root.toUpperCase();
    });
    add('another format version', (c) => {
      c.formatVersion = 3;
    });
    add('another method', (c) => {
      c.method = 'rounding';
    });
    add('a negative count', (c) => {
      c.tables[0].cells[0].count = -1;
    });
    add('a fractional count', (c) => {
      c.tables[0].cells[0].count = 1.5;
    });
    add('a string count', (c) => {
      c.tables[0].cells[0].count = '7';
    });
    add('an extra cell field', (c) => {
      c.tables[0].cells[0].reason = 'primary';
    });
    add('a cell without suppressed', (c) => {
      delete c.tables[0].cells[0].suppressed;
    });
    add('a bad release id', (c) => {
      c.id = 'Anual 1';
    });
    add('a bad series', (c) => {
      c.series = 'Anual';
    });
    add('sequence 0', (c) => {
      c.sequence = 0;
    });
    add('a data entry of version 0', (c) => {
      c.data[0].version = 0;
    });
    add('a data entry with since "other"', (c) => {
      c.data[0].since = 'other';
    });
    add('a non-string domain code', (c) => {
      c.domains.year = [2023];
    });
    if (m.dp) {
      add('a dp ledger of another scope', (c) => {
        c.dp.ledger.scope = 'series';
      });
      add('another mechanism', (c) => {
        c.dp.mechanism = 'gaussian';
      });
      add('a dp block without its ledger', (c) => {
        delete c.dp.ledger;
      });
    }
    return out;
  }

  it('on every alteration of the real manifests: both accept, or both refuse', () => {
    const validate = ajvFor(doc.components.schemas.ReleaseManifest);
    const verdicts: string[] = [];
    let refused = 0;
    for (const { what, manifest } of manifests) {
      for (const [change, m] of altered(manifest)) {
        const z = zodAccepts(m);
        const a = validate(m);
        if (z !== a) verdicts.push(`${what}, ${change}: zod ${z ? 'accepts' : 'refuses'}, OpenAPI ${a ? 'accepts' : 'refuses'}`);
        if (!z) refused++;
      }
    }
    expect(verdicts).toEqual([]);
    // The alterations are real differences, not no-ops: almost every one is refused by both.
    expect(refused).toBeGreaterThan(manifests.length * 30);
  });
});
