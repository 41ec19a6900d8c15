// Fuzzing every route of the OpenAPI document (fast-check), on SQLite and PostgreSQL: random
// path parameters (real ids, random ids, hostile segments), query strings (prototype keys,
// arrays, markers, huge values), headers (forwarding headers with marker addresses, content types
// and encodings, forged signature headers), and bodies: hostile JSON (huge numbers, deep nesting,
// `__proto__`, invalid UTF-8) and near-valid shapes of each route's body (release requests with
// hostile k, filters, tables, rho and epsilon as numbers and strings; reports with one field
// made hostile). Each request is unsigned or signed by a member, the steward or a publisher, so
// that every role's routes get past the role check to their validation. Never a 5xx, every
// refusal a stable JSON error code, nothing written but what a success may write (invites,
// reports and release drafts — with the log entry and data versions a draft records — counted),
// never a marker in the logs, no prototype pollution. Plus slow-drip bodies
// on a listener with the production timeouts (server/main.ts).
// Runs CONTAMOS_FUZZ_RUNS cases per provider: 250 in `npm test`, 5,000 per provider (10,000 in
// all) in `npm run test:fuzz`. Prints how many cases ran. Shown to fail: docs/test-evidence.md.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import request from 'supertest';
import { logLineFaults } from '../helpers/log-lines.js';
import { signRequest } from '../../crypto/index.js';
import { openApiDocument } from '../../server/openapi.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { providers, tableContents } from '../helpers/databases.js';
import { forbidden, markerHeaders } from '../helpers/markers.js';

const RUNS = Number(process.env.CONTAMOS_FUZZ_RUNS ?? 250);
const SEED = process.env.CONTAMOS_FUZZ_SEED ? Number(process.env.CONTAMOS_FUZZ_SEED) : 20261206;

const ROUTES = Object.entries((openApiDocument() as { paths: Record<string, Record<string, { 'x-contamos-who': string }>> }).paths).flatMap(([p, ops]) =>
  Object.entries(ops).map(([m, op]) => ({ method: m.toUpperCase(), path: p, who: op['x-contamos-who'] })),
);

const hostile = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(
      1e308,
      -1e308,
      2 ** 53 + 1,
      -0,
      0.1,
      1e20,
      Number.MIN_VALUE,
      '1e999',
      '__proto__',
      'constructor',
      'prototype',
      '',
      '\u0000',
      '\ud800',
      '1/0',
      '0/0',
      '-1',
      'NaN',
    ),
    fc.string({ maxLength: 40 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    tie('object'),
    tie('array'),
  ),
  object: fc.dictionary(
    fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'year', 'region', 'toString', 'hasOwnProperty', 'k', 'rho', 'epsilon', 'tables', 'filter'),
      fc.string({ maxLength: 10 }),
    ),
    tie('value'),
    { maxKeys: 5 },
  ),
  array: fc.array(tie('value'), { maxLength: 5 }),
})).value;

const DIMENSIONS = [
  'year',
  'quarter',
  'region',
  'incidentType',
  'victimGender',
  'victimNationality',
  'victimAgeBand',
  'perpetratorType',
  'outcome',
  'victimName',
  '__proto__',
];
const amount = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -1, 1e9, 0.5, 1e-12, '0.5', '1/4', '1e9', '1/0', '10000000000000000000000', ' 0.1', '0x10', '½'),
  fc.string({ maxLength: 12 }),
);
// A valid release request (suppression or DP) with one or two fields replaced by a hostile or
// boundary value: most get past the schema's shape and test its bounds and the service's checks.
const VALID_RELEASES = [
  { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']], k: 2 },
  { series: 'dp-anual', method: 'dp', filter: { year: 2023 }, tables: [['region']], rho: '0.01' },
  { series: 'dp-pura', method: 'dp', filter: { years: [2023, 2024] }, tables: [['incidentType']], epsilon: 0.5, keepTotal: true },
];
const releaseField = fc.oneof(
  fc.record({ k: fc.oneof(fc.integer({ min: -5, max: 200 }), hostile) }),
  fc.record({ rho: amount }),
  fc.record({ epsilon: amount }),
  fc.record({ rho: amount, epsilon: amount }),
  fc.record({
    filter: fc.oneof(
      fc.record({ year: fc.oneof(fc.integer({ min: 1980, max: 2110 }), hostile) }),
      fc.record({ years: fc.array(fc.integer({ min: 1989, max: 2101 }), { maxLength: 60 }) }),
      hostile,
    ),
  }),
  fc.record({ tables: fc.oneof(fc.array(fc.array(fc.constantFrom(...DIMENSIONS), { maxLength: 5 }), { maxLength: 11 }), hostile) }),
  fc.record({ series: fc.oneof(fc.constantFrom('anual', 'a', 'x'.repeat(40), 'x'.repeat(41), 'Año', '__proto__'), fc.string({ maxLength: 12 })) }),
  fc.record({ method: fc.constantFrom('suppression', 'dp', 'other') }),
  fc.record({ keepTotal: fc.oneof(fc.boolean(), hostile) }),
  fc.record({ holdBack: fc.constantFrom('none', 'auto', 'x') }),
  fc.record({ regionGroups: fc.oneof(fc.boolean(), hostile) }),
  fc.record({ extra: hostile }),
);
const releaseBody = fc
  .tuple(fc.constantFrom(...VALID_RELEASES), fc.array(releaseField, { minLength: 0, maxLength: 2 }))
  .map(([base, changes]) => Object.assign({}, base, ...changes) as Record<string, unknown>);
const reportBody = (seal: () => Record<string, unknown>) =>
  fc
    .tuple(
      fc.constantFrom(
        'year',
        'quarter',
        'region',
        'incidentType',
        'victimGender',
        'victimNationality',
        'victimAgeBand',
        'perpetratorType',
        'outcome',
        'sealedNarrative',
        'dedupeTag',
        'supersedes',
        '__proto__',
        'extra',
      ),
      hostile,
    )
    .map(([field, v]) => ({ ...seal(), [field]: v }));

const deepNest = fc.integer({ min: 100, max: 5000 }).map((n) => '['.repeat(n) + ']'.repeat(n));
const invalidUtf8 = fc
  .uint8Array({ minLength: 1, maxLength: 64 })
  .map((b) => Buffer.concat([Buffer.from('{"year":'), Buffer.from([0xc3, 0x28, 0xff, ...b]), Buffer.from('}')]));
const segment = fc.oneof(
  fc.constantFrom(
    '%00',
    '..',
    '%2e%2e',
    '__proto__',
    'constructor',
    'm-AAAAAAAAAAAAAAAA',
    'ab'.repeat(32),
    '-1',
    '99999999999999999999',
    '%ff',
    'a'.repeat(300),
    'anual-1.csv',
  ),
  fc.uuid(),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);
const query = fc.oneof(
  fc.constant(''),
  fc
    .array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom('__proto__', 'constructor[prototype][x]', 'limit', 'cursor', 'lang', 'a[]', 'a[b]', 'k', 'desde', 'nota'),
          fc.string({ maxLength: 8 }).map(encodeURIComponent),
        ),
        fc.oneof(
          fc.constantFrom('1', '-1', '1e999', '999999999999999999999', '', 'es', 'en', '%00', '%ff', encodeURIComponent(markerHeaders['X-Forwarded-For']!)),
          fc.string({ maxLength: 20 }).map(encodeURIComponent),
        ),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((kv) => `?${kv.map(([k, v]) => `${k}=${v}`).join('&')}`),
);
const hostileHeaders = fc.record({
  contentType: fc.constantFrom(
    'application/json',
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    '',
  ),
  encoding: fc.constantFrom(undefined, undefined, 'gzip', 'deflate', 'br', 'identity', 'x-unknown'),
  markers: fc.boolean(),
  junk: fc.dictionary(
    fc.constantFrom('x-forwarded-host', 'x-http-method-override', 'signature', 'signature-input', 'content-digest', 'x-original-url'),
    fc.string({ maxLength: 60 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
    { maxKeys: 3 },
  ),
});
// half the cases with well-formed headers, so that the body reaches validation and the service
const headerArb = fc.oneof(
  fc.record({
    contentType: fc.constant('application/json'),
    encoding: fc.constant(undefined),
    markers: fc.boolean(),
    junk: fc.constant({} as Record<string, string>),
  }),
  hostileHeaders,
);

describe.each(providers)('fuzzing every OpenAPI route, every role (%s)', (provider) => {
  let t: TestApp;
  let org: SigningKey;
  let ownReport: string;
  let cases = 0;
  const written = { invites: 0, reports: 0, drafts: 0 };
  let reachedReleases = 0;
  const signers = () => [null, org, t.steward, t.publisher] as const;
  beforeAll(async () => {
    t = await startTestApp(provider, { rateLimitPerMinute: 10_000_000, publicRateLimitPerMinute: 10_000_000 });
    org = await enrolMember(t);
    ownReport = newId();
    await signed(t.app, 'PUT', `/api/v1/reports/${ownReport}`, org, sampleReport(t));
  });
  afterAll(async () => {
    console.log(`fuzz (${provider}): ${cases} requests sent, ${reachedReleases} release bodies past validation`);
    // every log line of the run: access lines exactly as promised, no time anywhere (issue 16)
    const faults = t ? logLineFaults(t.logs) : [];
    await t?.close();
    expect(faults).toEqual([]);
  });

  it(
    'never answers 5xx, writes only what a success may write, never logs a marker',
    async () => {
      const { ServerSecret: _s, Nonce: _n, ...before } = await tableContents(t.testDb);
      const bodyFor = (path: string) =>
        fc.oneof(
          { weight: 3, arbitrary: hostile.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
          { weight: 1, arbitrary: deepNest.map((s) => Buffer.from(s)) },
          { weight: 1, arbitrary: invalidUtf8 },
          { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)) },
          { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
          { weight: path.startsWith('/api/v1/releases') ? 12 : 0, arbitrary: releaseBody.map((b) => Buffer.from(JSON.stringify(b))) },
          { weight: path.startsWith('/api/v1/reports') ? 4 : 0, arbitrary: reportBody(() => sampleReport(t)).map((b) => Buffer.from(JSON.stringify(b))) },
        );
      const caseArb = fc.oneof(...ROUTES.map((r) => ({ weight: r.method === 'GET' ? 1 : 3, arbitrary: fc.constant(r) }))).chain((r) =>
        fc.record({
          route: fc.constant(r),
          params: fc.array(r.method === 'GET' ? fc.oneof(fc.constant('@own'), segment) : segment, { minLength: 4, maxLength: 4 }),
          query,
          body: bodyFor(r.path),
          headers: headerArb,
          // mostly the route's own role (to reach its validation), sometimes any other or none
          signer: fc.oneof({ weight: 3, arbitrary: fc.constant(r.who) }, { weight: 2, arbitrary: fc.constantFrom('public', 'member', 'steward', 'publisher') }),
        }),
      );
      await fc.assert(
        fc.asyncProperty(caseArb, async ({ route, params, query: q, body, headers: h, signer }) => {
          let i = 0;
          const url =
            route.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
              const p = params[i++]!;
              if (p !== '@own') return p;
              return name === 'index' ? '0' : name === 'keyId' ? org.keyId : name === 'id' && route.path.startsWith('/api/v1/releases') ? 'anual-1' : ownReport;
            }) + q;
          const key = signers()[['public', 'member', 'steward', 'publisher'].indexOf(signer)] ?? null;
          let req = request(t.app)[route.method.toLowerCase() as 'get'](url);
          if (key) req = req.set(await signRequest({ method: route.method, url, body }, key));
          if (h.markers) req = req.set(markerHeaders);
          for (const [k, v] of Object.entries(h.junk)) req = req.set(k, v);
          if (h.contentType) req = req.set('content-type', h.contentType);
          if (h.encoding) req = req.set('content-encoding', h.encoding);
          // raw bytes as they are (superagent would otherwise turn a Buffer into JSON for a JSON type)
          const res = body.length ? await req.serialize((b: unknown) => b as string).send(body) : await req;
          cases++;
          expect(res.status, `${route.method} ${url} (${signer}) → ${res.status} ${res.text?.slice(0, 200)}`).toBeLessThan(500);
          if (res.status >= 400 && res.type === 'application/json') expect(typeof res.body.error?.code, `${route.method} ${url}`).toBe('string');
          if (res.status >= 400 && route.path.startsWith('/api/')) expect(res.type).toBe('application/json');
          if (res.status === 201 && route.path === '/api/v1/invites') written.invites++;
          if (res.status === 201 && route.path === '/api/v1/reports/{id}') written.reports++;
          if (res.status === 201 && route.path === '/api/v1/releases' && route.method === 'POST') written.drafts++;
          // a release body that passed validation reached the service (too small, budget, k…)
          if (route.path === '/api/v1/releases' && signer === 'publisher' && ![400, 401, 413, 415].includes(res.status)) reachedReleases++;
        }),
        { numRuns: RUNS, seed: SEED },
      );
      // nothing changed but what successes may write: invites issued, reports stored, drafts of a
      // valid release body (nonces are
      // consumed by successful signed reads; the ranking secret is made by the first count)
      const { ServerSecret: _s2, Nonce: _n2, ...after } = await tableContents(t.testDb);
      for (const table of Object.keys(before)) {
        const grown = { Invite: written.invites, Report: written.reports, ReleaseDraft: written.drafts, Publication: written.drafts } as Record<string, number>;
        if (table in grown || (written.drafts > 0 && (table === 'DataVersion' || table === 'sqlite_sequence'))) {
          // only added to: every earlier row still there, unchanged; counted tables by exactly their successes
          const rows = (x: string) => (x.startsWith('[') ? (JSON.parse(x) as unknown[]) : x.split('\n'));
          const b = rows(before[table]!);
          const a = rows(after[table]!);
          if (table in grown) expect(a.length, table).toBe(b.length + grown[table]!);
          if (table !== 'sqlite_sequence') expect(a, table).toEqual(expect.arrayContaining(b));
        } else expect(after[table], table).toBe(before[table]);
      }
      for (const m of forbidden) expect(t.logs.join(''), m).not.toContain(m);
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('year');
      expect(Object.prototype).not.toHaveProperty('x');
      expect(cases).toBe(RUNS);
      if (RUNS >= 2000) expect(reachedReleases, 'no fuzzed release body got past validation').toBeGreaterThan(0);
    },
    60_000 + RUNS * 200,
  );
});

describe('slow-drip bodies on a listener with the production timeouts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });
  afterAll(async () => t?.close());

  it('survives slow-drip bodies on a raw socket and answers 4xx', async () => {
    const server = t.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    // as server/main.ts sets them
    server.keepAliveTimeout = 5000;
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    const port = (server.address() as AddressInfo).port;
    try {
      const body = JSON.stringify(sampleReport(t));
      const statuses = await Promise.all(
        [1, 2, 3].map(
          () =>
            new Promise<number>((resolve, reject) => {
              const s = net.connect(port, '127.0.0.1');
              let out = '';
              s.on('data', (d) => {
                out += d;
              });
              s.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(out)?.[1] ?? 0)));
              s.on('error', reject);
              s.write(
                `PUT /api/v1/reports/${newId()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Forwarded-For: ${markerHeaders['X-Forwarded-For']}\r\nConnection: close\r\n\r\n`,
              );
              let i = 0;
              const drip = setInterval(() => {
                s.write(body.slice(i, i + 64));
                i += 64;
                if (i >= body.length) {
                  clearInterval(drip);
                }
              }, 5);
            }),
        ),
      );
      expect(statuses).toEqual([401, 401, 401]); // unsigned: refused once the whole body has arrived
      const health = await request(server).get('/api/v1/health');
      expect(health.status).toBe(200);
    } finally {
      server.close();
    }
  });
});
