// The precomputed security headers (server/http/security-headers.ts) must be exactly what helmet
// itself sets with the same options, on API routes, web pages and errors alike. Comparing with
// helmet on the same options cannot catch a weakened option (both sides change), so the values
// SECURITY.md promises are also pinned literally: every CSP directive it lists, Referrer-Policy,
// Cross-Origin-Resource-Policy, HSTS, nosniff, frame refusal, no X-Powered-By, cookies or ETags.
// Shown to fail: docs/test-evidence.md.
import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELMET_OPTIONS } from '../../server/app.js';
import { recordedHelmetHeaders } from '../../server/http/security-headers.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const NOT_HELMET = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive', 'etag', 'cache-control', 'vary', 'location']);

function helmetOf(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !NOT_HELMET.has(k)));
}

describe('security headers', () => {
  let t: TestApp;
  let reference: Record<string, unknown>;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    const plain = express();
    plain.disable('x-powered-by');
    plain.use(helmet(HELMET_OPTIONS));
    plain.get('/x', (_req, res) => {
      res.json({});
    });
    reference = helmetOf((await request(plain).get('/x')).headers);
  });
  afterAll(() => t.close());

  it('helmet sets a strict CSP and no referrer (the reference is not empty)', () => {
    expect(reference['content-security-policy']).toContain("default-src 'self'");
    expect(reference['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(reference['referrer-policy']).toBe('no-referrer');
    expect(Object.keys(reference).length).toBeGreaterThanOrEqual(10);
  });

  it("the recorded headers are helmet's, name for name and byte for byte", () => {
    const recorded = Object.fromEntries(recordedHelmetHeaders(HELMET_OPTIONS).map(([k, v]) => [k.toLowerCase(), v]));
    expect(recorded).toEqual(reference);
  });

  it('web pages keep the same headers, with their own stricter CSP (routes/web.ts)', async () => {
    const res = await request(t.app).get('/');
    expect(res.status).toBe(200);
    const { 'content-security-policy': csp, ...rest } = helmetOf(res.headers);
    const { 'content-security-policy': _ref, ...refRest } = reference;
    expect(rest).toEqual(refRest);
    expect(csp).toContain("default-src 'none'");
  });

  it.each([
    ['an API route', 'get', '/api/v1/health', 200],
    ['an unknown route (404 error)', 'get', '/no-such-page', 404],
    ['report intake, served without express (http/direct-routes.ts; 401 error)', 'put', '/api/v1/reports/0b0f3c34-7b43-4d0e-9d4c-0f9f4b7f1c11', 401],
  ] as const)("%s carries exactly helmet's headers", async (_what, method, url, status) => {
    const res = await request(t.app)[method](url).set('content-type', 'application/json').send('{}');
    expect(res.status).toBe(status);
    expect(helmetOf(res.headers)).toEqual(reference);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it.each([
    ['an API route', 'get', '/api/v1/health'],
    ['an error', 'get', '/no-such-page'],
    ['report intake (direct route)', 'put', '/api/v1/reports/0b0f3c34-7b43-4d0e-9d4c-0f9f4b7f1c11'],
  ] as const)('%s carries the literal values SECURITY.md promises', async (_what, method, url) => {
    const res = await request(t.app)[method](url).set('content-type', 'application/json').send('{}');
    const promised = /`Content-Security-Policy: ([^`]+)`/.exec(readFileSync('SECURITY.md', 'utf8'))![1]!;
    const directives = promised
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean);
    expect(directives.length).toBeGreaterThanOrEqual(7);
    const sent = String(res.headers['content-security-policy'])
      .split(';')
      .map((d) => d.trim());
    for (const d of directives) expect(sent, d).toContain(d);
    expect(sent.some((d) => d.includes('unsafe'))).toBe(false);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers.etag).toBeUndefined();
  });
});
