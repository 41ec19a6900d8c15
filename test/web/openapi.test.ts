// The OpenAPI 3.1 document lists every route the app serves (walked from the mounted routers)
// and every route the README lists, with request and response schemas from zod, the error shape
// and the HTTP signature scheme; /api/v1/docs renders the same list as HTML.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import type { Express } from 'express';
import { ERRORS } from '../../server/errors.js';
import { ROUTES } from '../../server/openapi.js';
import type { TestApp } from '../helpers/app.js';
import { startWebTestApp } from './harness.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
type Json = Record<string, any>;

let t: TestApp & { web: Express };
let doc: Json;

beforeAll(async () => {
  t = await startWebTestApp();
  const res = await request(t.web).get('/api/v1/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  doc = res.body;
});
afterAll(async () => {
  await t?.close();
});

/** Every (method, full path template) the app routes, from the routers' stacks. */
function mountedRoutes(app: Express): Array<{ method: string; path: string }> {
  const out: Array<{ method: string; path: string }> = [];
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths: string[] = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) for (const m of Object.keys(layer.route.methods)) out.push({ method: m, path: prefix + p });
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix + (typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''));
      } else if (layer.handle?.router?.stack) {
        walk(layer.handle.router.stack, prefix);
      }
    }
  };
  walk((app as any).router.stack, '');
  return out;
}

const isApi = (p: string) => p.startsWith('/api/') || p.startsWith('/.well-known/');

/** An express template as a regex over OpenAPI templates (":file" also matches "{id}.csv"). */
function matcher(expressPath: string): RegExp {
  const parts = expressPath.split(/(:[A-Za-z_]+)/).map((s) => (s.startsWith(':') ? '\\{[A-Za-z]+\\}(?:\\.[a-z]+)?' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('')}$`);
}

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 with JSON Schema 2020-12', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(doc.info.title).toBe('Contamos API');
  });

  it('describes every API route the app serves, and nothing it does not', () => {
    // (until app.ts mounts the web routes, the harness puts them in front of the app: walk both)
    const all = mountedRoutes(t.web);
    const mounted = [...new Map(all.filter((r) => isApi(r.path)).map((r) => [`${r.method} ${r.path}`, r])).values()];
    expect(mounted.length).toBeGreaterThanOrEqual(17);
    const documented = Object.entries(doc.paths as Json).flatMap(([p, ops]) => Object.keys(ops).map((m) => ({ method: m, path: p })));
    for (const r of mounted) {
      const re = matcher(r.path);
      expect(
        documented.some((d) => d.method === r.method && re.test(d.path)),
        `${r.method.toUpperCase()} ${r.path} is not in openapi.json`,
      ).toBe(true);
    }
    for (const d of documented) {
      expect(
        mounted.some((r) => r.method === d.method && matcher(r.path).test(d.path)),
        `${d.method.toUpperCase()} ${d.path} is documented but not routed`,
      ).toBe(true);
    }
  });

  it('lists every route of the README and of the release format', () => {
    const text = readFileSync(path.join(ROOT, 'README.md'), 'utf8') + readFileSync(path.join(ROOT, 'docs', 'release-format.md'), 'utf8');
    const listed = [...text.matchAll(/`(GET|POST|PUT|DELETE) (\/[^`\s]+)`/g)]
      .map((m) => ({ method: m[1]!.toLowerCase(), path: m[2]! }))
      .flatMap((r) => r.path.split(/,\s*/).map((p) => ({ method: r.method, path: p.replace(/:([A-Za-z]+)/g, '{$1}') })))
      .filter((r) => r.path.startsWith('/api/') || r.path.startsWith('/.well-known/')); // the HTML pages are not API routes
    expect(listed.length).toBeGreaterThanOrEqual(12);
    for (const r of listed) expect(doc.paths[r.path]?.[r.method], `${r.method} ${r.path}`).toBeDefined();
  });

  it('gives request bodies, parameters and responses their zod-generated schemas', () => {
    const put = doc.paths['/api/v1/reports/{id}'].put;
    const body = put.requestBody.content['application/json'].schema;
    expect(body.type).toBe('object');
    expect(body.additionalProperties).toBe(false);
    expect(body.required).toEqual(expect.arrayContaining(['year', 'region', 'incidentType', 'sealedNarrative']));
    expect(body.properties.region.enum).toContain('PE-MDD');
    expect(body.properties.incidentType.enum).toContain('extortion');
    expect(put.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
    expect(put.responses['201'].content['application/json'].schema.properties.reportHash).toBeDefined();
    expect(put.responses['409'].content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
    expect(put.security).toEqual([{ memberSignature: [] }]);

    const list = doc.paths['/api/v1/reports'].get;
    expect(list.parameters.map((p: Json) => p.name).sort()).toEqual(['cursor', 'limit']);
    expect(list.parameters.every((p: Json) => p.required === false)).toBe(true);

    const invite = doc.paths['/api/v1/invites'].post;
    expect(invite.requestBody.required).toBe(false);
    expect(invite.requestBody.content['application/json'].schema.required ?? []).not.toContain('ttlHours'); // has a default
    expect(invite.security).toEqual([{ stewardSignature: [] }]);
    expect(doc.paths['/api/v1/enrol'].post.security).toEqual([]);

    const rel = doc.paths['/api/v1/releases/{id}'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(rel.properties.manifest.properties.merkle.properties).sort()).toEqual(['root', 'scheme']); // no leaf count
    const proof = doc.paths['/api/v1/releases/{id}/proof/{reportId}'].get.responses['200'].content['application/json'].schema.properties.proof;
    expect(Object.keys(proof.properties).sort()).toEqual(['leaf', 'path', 'scheme']); // no index, no tree size
    expect(rel.properties.manifest.properties.publication.properties.index).toBeDefined();
    expect(doc.paths['/api/v1/releases/{id}.csv'].get.responses['200'].content['text/csv']).toBeDefined();
    for (const [p, ops] of Object.entries(doc.paths as Json)) {
      for (const [m, op] of Object.entries(ops as Json)) {
        expect(
          Object.keys(op.responses).some((s) => s.startsWith('2')),
          `${m} ${p}`,
        ).toBe(true);
        expect(op.operationId).toMatch(/^[A-Za-z0-9]+$/);
      }
    }
  });

  it('describes the error shape and every stable error code', () => {
    const err = doc.components.schemas.Error;
    expect(err.properties.error.required).toEqual(expect.arrayContaining(['code', 'message']));
    expect(Object.keys(doc['x-error-codes']).sort()).toEqual(Object.keys(ERRORS).sort());
    expect(doc['x-error-codes'].replayed_nonce.status).toBe(401);
  });

  it('describes the HTTP message signature scheme for each signing role', () => {
    for (const who of ['member', 'steward', 'publisher']) {
      const s = doc.components.securitySchemes[`${who}Signature`];
      expect(s).toMatchObject({ type: 'apiKey', in: 'header', name: 'Signature' });
      expect(s.description).toContain('RFC 9421');
      expect(s.description).toContain('Content-Digest');
      expect(s['x-http-message-signatures'].coveredComponents).toContain('content-digest');
    }
  });

  it('has no $schema inside operation schemas and no external references', () => {
    const text = JSON.stringify(doc.paths);
    expect(text).not.toContain('"$schema"');
    for (const m of text.matchAll(/"\$ref":"([^"]+)"/g)) expect(m[1]).toMatch(/^#\//);
  });
});

describe('API docs page', () => {
  it('lists every route in readable HTML, no script', async () => {
    const res = await request(t.web).get('/api/v1/docs');
    expect(res.status).toBe(200);
    for (const r of ROUTES) expect(res.text).toContain(`<span class="method">${r.method.toUpperCase()}</span> ${r.path}`);
    expect(res.text).toContain('RFC 9421');
    expect(res.text).toContain('replayed_nonce');
    expect(res.text).not.toMatch(/<script/i);
    const en = await request(t.web).get('/api/v1/docs?lang=en');
    expect(en.text).toContain('Signed requests');
  });
});
