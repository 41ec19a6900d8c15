// Adversarial, from the seizure side: every route the OpenAPI document lists (read from the
// document itself, so a new route is covered or this test fails), every web page and asset, and
// the 400/401/404/413/415/503 paths are called with marker client addresses in every forwarding
// header, a marker User-Agent, Referer and cookie, and a marker in the query string. Then the
// logical dump of every table, every log line, every response (status line, headers, body) and,
// on SQLite, the raw bytes of the database file and of its WAL (where deleted or overwritten rows
// linger) are scanned for the markers and for the loopback address the requests came from.
// A second test does the same against the real server process over TCP from a client address of
// its own (127.0.0.77), scanning every line the process prints, its raw database and WAL bytes
// and its key files. Shown to fail: docs/test-evidence.md.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { canonicalJson, dedupeTag, generateSigningKeyPair, parseKeyFile, ready, signDetached, signRequest } from '../../crypto/index.js';
import { openApiDocument } from '../../server/openapi.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { dumpDatabase, providers } from '../helpers/databases.js';
import { MARKERS, forbidden, markerHeaders, markerValues } from '../helpers/markers.js';
import { spawnServer, type ServerProcess } from '../helpers/process.js';

const QUERY_MARKER = `nota=${encodeURIComponent(MARKERS.ua)}&desde=${MARKERS.v4}`;
const SECRET = Buffer.alloc(32, 3).toString('base64');

/** Every marker occurrence in `haystack` (a string or raw bytes read as latin1 and as UTF-16LE). */
function found(haystack: string | Buffer, needles: readonly string[]): string[] {
  const texts = typeof haystack === 'string' ? [haystack] : [haystack.toString('latin1'), haystack.toString('utf16le')];
  return needles.filter((n) => texts.some((t) => t.includes(n)));
}

describe.each(providers)('no identifier anywhere, on every OpenAPI route and page (%s)', (provider) => {
  let t: TestApp;
  let orgs: SigningKey[];
  const responses: string[] = [];
  const statuses = new Map<string, number[]>();
  beforeAll(async () => {
    t = await startTestApp(provider, { bodyLimitBytes: 64 * 1024 });
    orgs = [await enrolMember(t), await enrolMember(t)];
  });
  afterAll(async () => t?.close());

  const keep = (route: string, res: request.Response) => {
    responses.push(`${res.status}\n${JSON.stringify(res.headers)}\n${res.text ?? ''}`);
    (statuses.get(route) ?? statuses.set(route, []).get(route)!).push(res.status);
    return res;
  };
  const who = (w: string): SigningKey | null => (w === 'member' ? orgs[0]! : w === 'steward' ? t.steward : w === 'publisher' ? t.publisher : null);
  const call = async (route: string, method: string, url: string, key: SigningKey | null, body?: unknown, extra: Record<string, string> = {}) => {
    const headers = { ...markerHeaders, ...extra };
    if (key) return keep(route, await signed(t.app, method.toUpperCase() as 'GET', url, key, body, { headers }));
    let req = request(t.app)[method as 'get'](url).set(headers);
    if (body !== undefined) req = req.set('content-type', 'application/json').send(JSON.stringify(body));
    return keep(route, await req);
  };

  it('calls every route and page with markers, then finds no marker in tables, logs, responses or raw files', async () => {
    // data that every route can work on: reports (two copies of one incident: a conflict), a release
    const tag = dedupeTag(SECRET, 'marcador');
    const own: string[] = [];
    for (let i = 0; i < 8; i++) {
      const id = newId();
      const res = await signed(
        t.app,
        'PUT',
        `/api/v1/reports/${id}`,
        orgs[i % 2]!,
        sampleReport(t, i < 2 ? { dedupeTag: tag, region: i ? 'PE-CUS' : 'PE-LMA' } : {}),
        { headers: markerHeaders },
      );
      expect(res.status).toBe(201);
      if (i % 2 === 0) own.push(id);
    }
    const releaseReq = { series: 'marcas', filter: { year: 2023 }, tables: [['year', 'region']], k: 2 };
    const draft = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, releaseReq, { headers: markerHeaders });
    expect(draft.status).toBe(201);
    const signedRel = await signed(
      t.app,
      'POST',
      `/api/v1/releases/drafts/${draft.body.draftId}/signature`,
      t.publisher,
      { signature: signDetached(canonicalJson(draft.body.manifest), t.publisher.secretKey) },
      { headers: markerHeaders },
    );
    expect(signedRel.status).toBe(201);
    const releaseId = signedRel.body.manifest.id as string;
    const spare = await enrolMember(t);
    const quarantined = await enrolMember(t);

    const doc = openApiDocument() as { paths: Record<string, Record<string, { 'x-contamos-who': string }>> };
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).map(([m, op]) => ({ path: p, method: m, who: op['x-contamos-who'] })));
    expect(routes.length).toBeGreaterThanOrEqual(25);
    for (const r of routes) {
      const route = `${r.method.toUpperCase()} ${r.path}`;
      const fill = (p: string) =>
        p
          .replace('/reports/{id}', `/reports/${r.method === 'put' ? newId() : own[0]}`)
          .replace('{id}', releaseId)
          .replace('{reportId}', own[1]!)
          .replace('/members/{keyId}/quarantine', `/members/${quarantined.keyId}/quarantine`)
          .replace('{keyId}', spare.keyId)
          .replace('{tag}', tag)
          .replace('{index}', '1')
          .replace('{file}', 'tendencia-1-1.svg');
      let url = fill(r.path);
      let body: unknown;
      if (r.path === '/api/v1/invites') body = {};
      if (r.path === '/api/v1/enrol') {
        const inv = await signed(t.app, 'POST', '/api/v1/invites', t.steward, {});
        body = { invite: inv.body.invite, publicKey: generateSigningKeyPair().publicKey };
      }
      if (r.method === 'put' && r.path.startsWith('/api/v1/reports/')) body = sampleReport(t);
      if (r.path.endsWith('/withdraw')) url = url.replace(own[0]!, own[2]!);
      if (r.path === '/api/v1/steward/conflicts/{tag}/resolve') {
        const conflicts = await signed(t.app, 'GET', '/api/v1/steward/conflicts', t.steward);
        body = { reportId: conflicts.body.items?.[0]?.reports?.[0]?.id ?? own[0] };
      }
      if (r.path === '/api/v1/releases' && r.method === 'post') body = { ...releaseReq, series: 'marcas-2' };
      if (r.path === '/api/v1/releases/dry-run') body = { series: 'prueba', filter: { year: 2023 }, tables: [['year', 'region']] };
      if (r.path.endsWith('/signature')) {
        const d = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, { ...releaseReq, series: 'marcas-3' });
        expect(d.status).toBe(201);
        url = `/api/v1/releases/drafts/${d.body.draftId}/signature`;
        body = { signature: signDetached(canonicalJson(d.body.manifest), t.publisher.secretKey) };
      }
      if (r.path.endsWith('/quarantine') && r.method === 'post') body = {};
      if (r.path.endsWith('/organisation')) body = { sameAs: quarantined.keyId };
      if (r.path === '/api/v1/featured' && r.method === 'put') body = { series: 'marcas' };
      const key = who(r.who);
      await call(route, r.method, url, key, body);
      // the same route with a marker query string, and (for signed routes) unsigned
      await call(route, r.method, `${url}${url.includes('?') ? '&' : '?'}${QUERY_MARKER}`, key, body);
      if (key) await call(route, r.method, url, null, body);
    }
    // every route answered, none with a 5xx; most with a success
    for (const r of routes) {
      const got = statuses.get(`${r.method.toUpperCase()} ${r.path}`) ?? [];
      expect(got.length, `${r.method} ${r.path} not called`).toBeGreaterThan(0);
      expect(
        got.every((s) => s < 500),
        `${r.method} ${r.path}: ${got}`,
      ).toBe(true);
    }
    const succeeded = routes.filter((r) => statuses.get(`${r.method.toUpperCase()} ${r.path}`)!.some((s) => s >= 200 && s < 300));
    expect(
      routes.length - succeeded.length,
      `routes never answered 2xx: ${routes.filter((r) => !succeeded.includes(r)).map((r) => r.path)}`,
    ).toBeLessThanOrEqual(1);

    // pages and assets, in both languages
    const home = await call('page', 'get', '/', null);
    const scripts = [
      ...home.text.matchAll(/src="(\/static\/[^"]+\.js)"/g),
      ...(await call('page', 'get', '/enviar', null)).text.matchAll(/src="(\/static\/[^"]+\.js)"/g),
    ].map((m) => m[1]!);
    for (const p of [
      '/',
      '/?lang=en',
      '/estadisticas',
      `/estadisticas/${releaseId}`,
      '/enviar',
      '/enviar?lang=en',
      '/api/v1/docs',
      '/static/contamos.css',
      ...scripts,
      '/no-such-page',
    ]) {
      const res = await call('page', 'get', p, null);
      expect(res.status, p).toBeLessThan(500);
    }
    // error paths: 400 invalid UTF-8, 401, 413, 415 (type, compression, charset), 404, 503
    const put = (extra: Record<string, string>, body: string | Buffer) =>
      request(t.app)
        .put(`/api/v1/reports/${newId()}`)
        .set({ ...markerHeaders, 'content-type': 'application/json', ...extra })
        .send(body);
    expect(keep('413', await put({}, 'x'.repeat(80 * 1024))).status).toBe(413);
    expect(keep('415', await put({ 'content-type': 'text/plain' }, '{}')).status).toBe(415);
    expect(keep('415', await put({ 'content-encoding': 'gzip' }, '{}')).status).toBe(415);
    expect(keep('415', await put({ 'content-type': 'application/json; charset=latin1' }, '{}')).status).toBe(415);
    const invalidUtf8 = await signed(
      t.app,
      'PUT',
      `/api/v1/reports/${newId()}`,
      orgs[0]!,
      Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]).toString('latin1'),
      { headers: markerHeaders },
    );
    expect(keep('400', invalidUtf8).status).toBeGreaterThanOrEqual(400);
    if (provider === 'sqlite') {
      await t.db.fast!.writerPragma('query_only = ON');
      try {
        const res = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, orgs[0]!, sampleReport(t), { headers: markerHeaders });
        expect(keep('503', res).status).toBe(503);
      } finally {
        await t.db.fast!.writerPragma('query_only = OFF');
      }
    }

    const dump = await dumpDatabase(t.testDb);
    expect(dump.length).toBeGreaterThan(2000);
    expect(t.logs.length).toBeGreaterThanOrEqual(2 * routes.length);
    expect(responses.length).toBeGreaterThanOrEqual(3 * routes.length);
    expect(found(dump, forbidden), 'database').toEqual([]);
    expect(
      t.logs.filter((l) => found(l, forbidden).length > 0),
      'log lines',
    ).toEqual([]);
    expect(
      responses.filter((r) => found(r, forbidden).length > 0).map((r) => r.slice(0, 300)),
      'responses',
    ).toEqual([]);
    if (provider === 'sqlite') {
      const file = t.testDb.url.slice('file:'.length);
      const raw = readFileSync(file);
      expect(raw.length).toBeGreaterThan(16 * 1024);
      expect(found(raw, forbidden), 'raw database file').toEqual([]);
      expect(existsSync(`${file}-wal`)).toBe(true);
      expect(found(readFileSync(`${file}-wal`), forbidden), 'raw WAL').toEqual([]);
    }
    for (const line of t.logs.map((l) => JSON.parse(l))) {
      if (line.msg !== 'request') continue;
      expect(Object.keys(line).sort()).toEqual(['method', 'ms', 'msg', 'route', 'status']); // no time, no level (issue 16)
    }
  }, 180_000);
});

describe('no identifier in the real server process: logs, database and WAL bytes, key files (sqlite)', () => {
  const CLIENT = '127.0.0.77';
  const dir = mkdtempSync(path.join(tmpdir(), 'contamos-noid-'));
  const env = { DATABASE_URL: `file:${path.join(dir, 'db.sqlite')}`, CONTAMOS_HOME: path.join(dir, 'home'), LOG_LEVEL: 'debug' };
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** A request over TCP from 127.0.0.77, so that a logged or stored client address is recognisable. */
  const call = async (method: string, url: string, key: { keyId: string; secretKey: string } | null, body?: unknown, extra: Record<string, string> = {}) => {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string> = { ...markerHeaders, ...extra };
    if (key) Object.assign(headers, await signRequest({ method, url, body: text }, key));
    if (text && !headers['content-type']) headers['content-type'] = 'application/json';
    const u = new URL(server!.url + url);
    return new Promise<{ status: number; body: any; raw: string }>((resolve, reject) => {
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, localAddress: CLIENT }, (res) => {
        let data = '';
        res.on('data', (c) => {
          data += c;
        });
        res.on('end', () => {
          let json: any = null;
          try {
            json = JSON.parse(data);
          } catch {
            /* a page */
          }
          resolve({ status: res.statusCode!, body: json, raw: `${JSON.stringify(res.headers)}\n${data}` });
        });
      });
      req.on('error', reject);
      req.end(text || undefined);
    });
  };

  it('scans every line the process printed, the raw database and WAL and the key files', async () => {
    await ready();
    server = await spawnServer(env);
    const stewardFile = parseKeyFile(readFileSync(path.join(env.CONTAMOS_HOME, 'steward.key.json'), 'utf8'));
    const steward = { keyId: stewardFile.keyId!, secretKey: stewardFile.signing!.secretKey! };
    const responses: string[] = [];
    const go = async (...a: Parameters<typeof call>) => {
      const r = await call(...a);
      responses.push(r.raw);
      return r;
    };
    const inv = await go('POST', '/api/v1/invites', steward, {});
    expect(inv.status).toBe(201);
    const kp = generateSigningKeyPair();
    const en = await go('POST', '/api/v1/enrol', null, { invite: inv.body.invite, publicKey: kp.publicKey });
    expect(en.status).toBe(201);
    const org = { keyId: en.body.keyId as string, secretKey: kp.secretKey };
    const seal = stewardFile.seal!.publicKey;
    const t = { steward: { sealPublicKey: seal } };
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = newId();
      expect((await go('PUT', `/api/v1/reports/${id}`, org, sampleReport(t))).status).toBe(201);
      ids.push(id);
    }
    expect((await go('GET', `/api/v1/reports/${ids[0]}`, org)).status).toBe(200);
    expect((await go('GET', `/api/v1/reports?${QUERY_MARKER}`, org)).status).toBeLessThan(500);
    expect((await go('POST', `/api/v1/reports/${ids[1]}/withdraw`, org)).status).toBe(200);
    for (const p of [
      '/api/v1/health',
      '/api/v1/taxonomy',
      '/.well-known/contamos.json',
      '/api/v1/releases',
      '/api/v1/publications',
      '/api/v1/openapi.json',
      '/',
      '/enviar',
      '/api/v1/docs',
      '/nada',
    ]) {
      expect((await go('GET', p, null)).status, p).toBeLessThan(500);
    }
    expect((await go('PUT', `/api/v1/reports/${newId()}`, null, '{}')).status).toBe(401);
    expect((await go('PUT', `/api/v1/reports/${newId()}`, org, 'x'.repeat(200 * 1024))).status).toBe(413);
    expect((await go('PUT', `/api/v1/reports/${newId()}`, org, '{}', { 'content-encoding': 'gzip' })).status).toBe(415);
    expect((await go('PUT', `/api/v1/reports/${newId()}`, org, { nope: 1 })).status).toBe(400);
    await server.stop('SIGTERM');

    const lines = server.output;
    expect(lines.length).toBeGreaterThan(20);
    const markers = [...markerValues, CLIENT, `::ffff:${CLIENT}`];
    expect(
      lines.filter((l) => found(l, markers).length > 0),
      'log lines with a marker or the client address',
    ).toEqual([]);
    // the only loopback address printed is the server's own, in the line that says where it listens
    expect(lines.filter((l) => l.includes('127.0.0.1') && !/contamos listening/.test(l))).toEqual([]);
    expect(responses.filter((r) => found(r, markers).length > 0)).toEqual([]);
    const file = env.DATABASE_URL.slice('file:'.length);
    for (const f of [file, `${file}-wal`, `${file}-shm`].filter(existsSync)) {
      expect(found(readFileSync(f), markers), f).toEqual([]);
    }
    for (const f of readdirSync(env.CONTAMOS_HOME)) {
      expect(found(readFileSync(path.join(env.CONTAMOS_HOME, f)), markers), f).toEqual([]);
    }
  }, 120_000);
});
