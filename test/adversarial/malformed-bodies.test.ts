// Property tests (fast-check): random malformed bodies, correctly signed so that they reach
// validation, and random unsigned garbage on every route. Always a 4xx with the JSON error
// shape, never a 5xx, and nothing written to the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import request from 'supertest';
import { logLineFaults } from '../helpers/log-lines.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { tableContents } from '../helpers/databases.js';
import { reportBody } from '../../server/schemas/report.js';

const taxonomyish = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('PE-LMA', 'homicide', 'VE', 'unknown', '__proto__'),
);
const anyJson = fc.jsonValue({ maxDepth: 6 });

describe('malformed bodies are refused with 4xx and change nothing (sqlite)', () => {
  let t: TestApp;
  let org: SigningKey;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    org = await enrolMember(t);
  });
  afterAll(async () => {
    // every log line of the run: access lines exactly as promised, no time anywhere (issue 16)
    const faults = t ? logLineFaults(t.logs) : [];
    await t?.close();
    expect(faults).toEqual([]);
  });

  it('signed PUT /reports with a corrupted report body', async () => {
    const before = await tableContents(t.testDb);
    const base = sampleReport(t);
    const fields = Object.keys(base);
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          drop: fc.subarray(fields, { maxLength: 3 }),
          set: fc.dictionary(fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 12 })), taxonomyish, { maxKeys: 3, minKeys: 1 }),
        }),
        async ({ drop, set }) => {
          const body: Record<string, unknown> = { ...base };
          for (const f of drop) delete body[f];
          Object.assign(body, set);
          // only bodies that are in fact invalid (a random value can happen to be a valid code)
          fc.pre(!reportBody.safeParse(body).success);
          ran++;
          const res = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, body);
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(typeof res.body.error.code).toBe('string');
        },
      ),
      { numRuns: 150, seed: 4242 },
    );
    expect(ran).toBeGreaterThan(100);
    expect(await tableContents(t.testDb)).toEqual(before);
  });

  it('arbitrary JSON and bytes, signed or not, on every route', async () => {
    const before = await tableContents(t.testDb);
    const routes: Array<['put' | 'post' | 'get' | 'delete', string]> = [
      ['put', `/api/v1/reports/${newId()}`],
      ['post', '/api/v1/enrol'],
      ['post', '/api/v1/invites'],
      ['post', `/api/v1/reports/${newId()}/withdraw`],
      ['delete', '/api/v1/members/m-AAAAAAAAAAAAAAAA'],
      ['get', '/api/v1/reports'],
      ['get', '/api/v1/steward/reports'],
      ['post', '/api/v1/steward/members/m-AAAAAAAAAAAAAAAA/quarantine'],
      ['delete', '/api/v1/steward/members/m-AAAAAAAAAAAAAAAA/quarantine'],
      ['get', '/api/v1/steward/conflicts'],
      ['post', `/api/v1/steward/conflicts/${'ab'.repeat(32)}/resolve`],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(
          anyJson.map((v) => JSON.stringify(v)),
          fc.string({ minLength: 1 }),
          fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
        ),
        fc.boolean(),
        async ([method, url], body, sign) => {
          const res =
            sign && method !== 'post' && url.startsWith('/api/v1/reports')
              ? await signed(t.app, method.toUpperCase() as 'PUT', url, org, body)
              : await request(t.app)[method](url).set('content-type', 'application/json').send(body);
          expect(res.status, `${method} ${url}`).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: 200, seed: 77 },
    );
    const after = await tableContents(t.testDb);
    expect(after.Report).toBe(before.Report);
    expect(after.Member).toBe(before.Member);
    expect(after.Invite).toBe(before.Invite);
  });
});
