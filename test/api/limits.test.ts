// SECURITY.md's "Headers and limits", from the attacker's side, on SQLite and PostgreSQL:
// - a correctly signed body that is compressed (gzip, deflate, br) is 415, never inflated;
//   a charset other than UTF-8 is 415; invalid UTF-8 is 400; a body over the limit is 413;
//   each writes nothing;
// - the per-key limit refuses the key over it (429) and not another key; forged requests under a
//   member's keyId do not use up its allowance;
// - the global bound on the unauthenticated enrolment route holds whatever forwarding headers
//   claim (never by address).
// Shown to fail: docs/test-evidence.md.
import { deflateSync, gzipSync, brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { generateSigningKeyPair, signRequest } from '../../crypto/index.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { pinMinute } from '../helpers/rate-limits.js';
import { providers, tableContents } from '../helpers/databases.js';
import { MARKERS } from '../helpers/markers.js';

describe.each(providers)('body encodings, sizes and rate limits (%s)', (provider) => {
  let t: TestApp;
  let org: SigningKey;
  beforeAll(async () => {
    t = await startTestApp(provider, { bodyLimitBytes: 32 * 1024, rateLimitPerMinute: 8 });
    org = await enrolMember(t);
  });
  afterAll(async () => t?.close());

  const contents = async () => {
    const { Nonce: _n, ...rest } = await tableContents(t.testDb);
    return rest;
  };
  /** A PUT whose signature covers exactly the bytes sent. */
  const put = async (bytes: Buffer, headers: Record<string, string>) => {
    const url = `/api/v1/reports/${newId()}`;
    const sig = await signRequest({ method: 'PUT', url, body: new Uint8Array(bytes) }, org);
    return request(t.app)
      .put(url)
      .set({ ...sig, ...headers })
      .serialize((b: unknown) => b as string)
      .send(bytes);
  };

  it('compressed bodies, other charsets, invalid UTF-8 and oversize bodies are refused and write nothing', async () => {
    const json = Buffer.from(JSON.stringify(sampleReport(t)));
    const before = await contents();
    for (const [encoding, bytes] of [
      ['gzip', gzipSync(json)],
      ['deflate', deflateSync(json)],
      ['br', brotliCompressSync(json)],
      ['gzip, identity', gzipSync(json)],
    ] as const) {
      const res = await put(bytes, { 'content-type': 'application/json', 'content-encoding': encoding });
      expect([res.status, res.body.error?.code], encoding).toEqual([415, 'unsupported_media_type']);
    }
    for (const type of ['application/json; charset=latin1', 'application/json; charset=utf-16', 'application/json; charset=iso-8859-1', 'text/json']) {
      const res = await put(json, { 'content-type': type });
      expect([res.status, res.body.error?.code], type).toEqual([415, 'unsupported_media_type']);
    }
    // "Testimonio" with an invalid byte in a string: not UTF-8
    const bad = Buffer.concat([Buffer.from('{"year":2023,"region":"PE-LMA","x":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    const invalid = await put(bad, { 'content-type': 'application/json' });
    expect([invalid.status, invalid.body.error?.code]).toEqual([400, 'invalid_json']);
    // an overlong encoding of "/" is not UTF-8 either
    const overlong = await put(Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d]), { 'content-type': 'application/json' });
    expect([overlong.status, overlong.body.error?.code]).toEqual([400, 'invalid_json']);
    const big = Buffer.from(JSON.stringify(sampleReport(t, { sealedNarrative: 'A'.repeat(40 * 1024) })));
    const tooBig = await put(big, { 'content-type': 'application/json' });
    expect([tooBig.status, tooBig.body.error?.code]).toEqual([413, 'payload_too_large']);
    // the same body, uncompressed, UTF-8, is accepted: the refusals were for the encoding
    const ok = await put(json, { 'content-type': 'application/json; charset=utf-8' });
    expect(ok.status).toBe(201);
    const after = await contents();
    expect(JSON.parse(after.Report!).length).toBe(JSON.parse(before.Report!).length + 1);
    expect({ ...after, Report: '' }).toEqual({ ...before, Report: '' });
  });

  it('the per-key limit refuses the key over it, not another; forged requests do not use it up', async () => {
    pinMinute(t); // the counted requests all fall in one minute of the server clock
    const a = await enrolMember(t);
    const b = await enrolMember(t);
    // forged: a's keyId, another secret key; refused 401 and not counted
    const forger = { keyId: a.keyId, secretKey: generateSigningKeyPair().secretKey, publicKey: a.publicKey };
    for (let i = 0; i < 12; i++) expect((await signed(t.app, 'GET', '/api/v1/reports', forger)).status).toBe(401);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await signed(t.app, 'GET', '/api/v1/reports', a)).status);
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(200));
    expect(statuses.slice(8)).toEqual([429, 429]);
    const over = await signed(t.app, 'GET', '/api/v1/reports', a);
    expect(over.body.error.code).toBe('rate_limited');
    expect((await signed(t.app, 'GET', '/api/v1/reports', b)).status).toBe(200);
  });

  it('the enrolment route has a global bound that forwarding headers cannot escape', async () => {
    // an app of its own with a small bound (publicRateLimitPerMinute 30), for everyone together
    const small = await startTestApp(provider, { publicRateLimitPerMinute: 30 });
    const statuses: number[] = [];
    try {
      for (let i = 0; i < 40; i++) {
        const res = await request(small.app)
          .post('/api/v1/enrol')
          .set({ 'content-type': 'application/json', 'X-Forwarded-For': `203.0.113.${i}`, 'X-Real-IP': `198.51.100.${i}`, 'User-Agent': MARKERS.ua })
          .send(JSON.stringify({ invite: 'x'.repeat(43), publicKey: generateSigningKeyPair().publicKey }));
        statuses.push(res.status);
      }
    } finally {
      await small.close();
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    expect(statuses.slice(-1)).toEqual([429]);
  });
});
