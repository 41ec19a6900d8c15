// Fuzzing every route (fast-check): random methods, paths, headers (forwarding headers with marker
// addresses included), content types and encodings, bodies with huge numbers, deep nesting,
// prototype-pollution keys and invalid UTF-8, signed and unsigned; plus slow-drip bodies over a
// raw socket. Never a 5xx, never a change in the database, never a marker in the logs, and no
// prototype pollution in the server process. Prints how many cases ran.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import request from 'supertest';
import { logLineFaults } from '../helpers/log-lines.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { tableContents } from '../helpers/databases.js';
import { forbidden, markerHeaders } from '../helpers/markers.js';

const ROUTES: Array<[string, string]> = [
  ['GET', '/api/v1/health'], ['GET', '/api/v1/taxonomy'], ['GET', '/.well-known/contamos.json'],
  ['POST', '/api/v1/invites'], ['POST', '/api/v1/enrol'], ['DELETE', '/api/v1/members/m-AAAAAAAAAAAAAAAA'],
  ['PUT', '/api/v1/reports/{id}'], ['GET', '/api/v1/reports/{id}'], ['GET', '/api/v1/reports'],
  ['POST', '/api/v1/reports/{id}/withdraw'], ['GET', '/api/v1/steward/reports'],
  ['POST', '/api/v1/releases'], ['POST', '/api/v1/releases/drafts/{id}/signature'], ['GET', '/api/v1/releases'],
  ['GET', '/api/v1/releases/anual-1'], ['GET', '/api/v1/releases/anual-1.csv'], ['GET', '/api/v1/releases/anual-1/proof/{id}'],
  ['POST', '/api/v1/steward/members/m-AAAAAAAAAAAAAAAA/quarantine'], ['DELETE', '/api/v1/steward/members/m-AAAAAAAAAAAAAAAA/quarantine'],
  ['GET', '/api/v1/steward/conflicts'], ['POST', `/api/v1/steward/conflicts/${'ab'.repeat(32)}/resolve`],
  ['GET', '/api/v1/releases/anual-1/datapackage.json'], ['GET', '/api/v1/releases/anual-1/data-hxl.csv'], ['GET', '/api/v1/releases.zip'],
  ['GET', '/api/v1/releases/anual-1/charts/tendencia-1-1.png'], ['PUT', '/api/v1/featured'], ['GET', '/api/v1/featured'],
];

const hostile = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, -0, 0.1, 99999999999999999999, '__proto__', 'constructor', 'prototype', '', '\u0000', '\ud800'),
    fc.string({ maxLength: 40 }), fc.integer(), fc.boolean(), fc.constant(null),
    tie('object'), tie('array'),
  ),
  object: fc.dictionary(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'year', 'region', 'toString', 'hasOwnProperty'), fc.string({ maxLength: 10 })), tie('value'), { maxKeys: 5 }),
  array: fc.array(tie('value'), { maxLength: 5 }),
})).value;

const deepNest = fc.integer({ min: 100, max: 5000 }).map((n) => '['.repeat(n) + ']'.repeat(n));
const invalidUtf8 = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.concat([Buffer.from('{"year":'), Buffer.from([0xc3, 0x28, 0xff, ...b]), Buffer.from('}')]));
const bodyArb = fc.oneof(
  hostile.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  deepNest.map((s) => Buffer.from(s)),
  invalidUtf8,
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
  fc.constant(Buffer.alloc(0)),
);
const headerArb = fc.record({
  contentType: fc.constantFrom('application/json', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ''),
  encoding: fc.constantFrom(undefined, 'gzip', 'deflate', 'br', 'identity', 'x-unknown'),
  markers: fc.boolean(),
  junk: fc.dictionary(fc.constantFrom('x-forwarded-host', 'x-http-method-override', 'signature', 'signature-input', 'content-digest', 'x-original-url'), fc.string({ maxLength: 60 }).filter((s) => /^[\x20-\x7e]*$/.test(s)), { maxKeys: 3 }),
});

describe('fuzzing every route (sqlite)', () => {
  let t: TestApp;
  let org: SigningKey;
  let cases = 0;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    org = await enrolMember(t);
    await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t));
  });
  afterAll(async () => {
    console.log(`fuzz: ${cases} requests sent`);
    // every log line of the run: access lines exactly as promised, no time anywhere (issue 16)
    const faults = t ? logLineFaults(t.logs) : [];
    await t?.close();
    expect(faults).toEqual([]);
  });

  it('never answers 5xx, never changes the database, never logs a marker', async () => {
    const before = await tableContents(t.testDb);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), bodyArb, headerArb, fc.boolean(), async ([method, template], body, h, sign) => {
        const url = template.replace('{id}', newId());
        let req = request(t.app)[method.toLowerCase() as 'get'](url);
        if (sign) {
          const { signRequest } = await import('../../crypto/index.js');
          req = req.set(await signRequest({ method, url, body }, org));
        }
        if (h.markers) req = req.set(markerHeaders);
        for (const [k, v] of Object.entries(h.junk)) req = req.set(k, v);
        if (h.contentType) req = req.set('content-type', h.contentType);
        if (h.encoding) req = req.set('content-encoding', h.encoding);
        const res = body.length ? await req.send(body) : await req;
        cases++;
        expect(res.status, `${method} ${url} → ${res.status} ${res.text.slice(0, 200)}`).toBeLessThan(500);
        if (res.status >= 400) expect(typeof res.body.error?.code).toBe('string');
      }),
      { numRuns: 600, seed: 20261128 },
    );
    // read-only successes (GET) may consume a nonce; nothing else may change
    const after = await tableContents(t.testDb);
    for (const table of Object.keys(before)) if (table !== 'Nonce') expect(after[table], table).toBe(before[table]);
    for (const m of forbidden) expect(t.logs.join(''), m).not.toContain(m);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('year');
  });

  it('survives slow-drip bodies on a raw socket and answers 4xx', async () => {
    const server = t.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const body = JSON.stringify(sampleReport(t));
      const status = await new Promise<number>((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1');
        let out = '';
        s.on('data', (d) => { out += d; });
        s.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(out)?.[1] ?? 0)));
        s.on('error', reject);
        s.write(`PUT /api/v1/reports/${newId()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Forwarded-For: ${markerHeaders['X-Forwarded-For']}\r\nConnection: close\r\n\r\n`);
        let i = 0;
        const drip = setInterval(() => {
          s.write(body.slice(i, i + 64));
          i += 64;
          if (i >= body.length) { clearInterval(drip); }
        }, 5);
      });
      cases++;
      expect(status).toBe(401); // unsigned: refused once the whole body has arrived
    } finally {
      server.close();
    }
  });
});
