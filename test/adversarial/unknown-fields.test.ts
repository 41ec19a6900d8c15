// Strict bodies, from the attacker's side: a body that is valid but for one field the server does
// not define — an address, a user agent, a name, a time of arrival, or any other — is refused with
// 400 `invalid_body` on every route that takes a body, and nothing is written (not even the nonce).
// A server that silently dropped unknown fields would accept them; one that kept them would store
// them. The expected answers are written out here, not derived from the server's own schemas.
// SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { generateSigningKeyPair } from '../../crypto/index.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { providers, tableContents } from '../helpers/databases.js';

const EXTRAS: Array<Record<string, unknown>> = [
  { ip: '203.0.113.9' },
  { userAgent: 'Mozilla/5.0 marker' },
  { reporterName: 'Ana' },
  { receivedAt: 1_700_000_000 },
  { __proto__: { polluted: true }, extra: 1 } as Record<string, unknown>,
  { constructor: 'x' },
];

describe.each(providers)('unknown fields are refused and write nothing (%s)', (provider) => {
  let t: TestApp;
  let org: SigningKey;
  let reportId: string;
  beforeAll(async () => {
    t = await startTestApp(provider);
    org = await enrolMember(t);
    reportId = newId();
    expect((await signed(t.app, 'PUT', `/api/v1/reports/${reportId}`, org, sampleReport(t))).status).toBe(201);
  });
  afterAll(async () => t?.close());

  const refusedAndNothingWritten = async (label: string, send: () => Promise<request.Response>) => {
    const before = await tableContents(t.testDb);
    const res = await send();
    expect([res.status, res.body?.error?.code], label).toEqual([400, 'invalid_body']);
    expect(await tableContents(t.testDb), label).toEqual(before);
  };

  it('a report (PUT, new and amending), on its own and nested', async () => {
    for (const extra of EXTRAS) {
      await refusedAndNothingWritten(`new report + ${JSON.stringify(extra)}`, () =>
        signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, { ...sampleReport(t), ...extra }),
      );
      await refusedAndNothingWritten(`amendment + ${JSON.stringify(extra)}`, () =>
        signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, { ...sampleReport(t), supersedes: reportId, ...extra }),
      );
    }
  });

  it('enrolment, invites, releases, dry runs, signatures, the featured series, quarantine, conflicts', async () => {
    const invite = (await signed(t.app, 'POST', '/api/v1/invites', t.steward, {})).body.invite as string;
    const release = { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] };
    for (const extra of EXTRAS.slice(0, 4)) {
      const x = JSON.stringify(extra);
      await refusedAndNothingWritten(`enrol + ${x}`, () =>
        request(t.app)
          .post('/api/v1/enrol')
          .set('content-type', 'application/json')
          .send({ invite, publicKey: generateSigningKeyPair().publicKey, ...extra }),
      );
      await refusedAndNothingWritten(`invite + ${x}`, () => signed(t.app, 'POST', '/api/v1/invites', t.steward, { ttlHours: 24, ...extra }));
      await refusedAndNothingWritten(`release + ${x}`, () => signed(t.app, 'POST', '/api/v1/releases', t.publisher, { ...release, ...extra }));
      await refusedAndNothingWritten(`dry run + ${x}`, () => signed(t.app, 'POST', '/api/v1/releases/dry-run', t.publisher, { ...release, ...extra }));
      await refusedAndNothingWritten(`release filter + ${x}`, () =>
        signed(t.app, 'POST', '/api/v1/releases', t.publisher, { ...release, filter: { year: 2023, ...extra } }),
      );
      await refusedAndNothingWritten(`signature + ${x}`, () =>
        signed(t.app, 'POST', `/api/v1/releases/drafts/${newId()}/signature`, t.publisher, { signature: 'A'.repeat(86), ...extra }),
      );
      await refusedAndNothingWritten(`featured + ${x}`, () => signed(t.app, 'PUT', '/api/v1/featured', t.publisher, { series: 'regiones', ...extra }));
      await refusedAndNothingWritten(`resolve + ${x}`, () =>
        signed(t.app, 'POST', `/api/v1/steward/conflicts/${'ab'.repeat(32)}/resolve`, t.steward, { reportId, ...extra }),
      );
    }
    // the invite was not used up by any of the refused enrolments
    const res = await request(t.app)
      .post('/api/v1/enrol')
      .set('content-type', 'application/json')
      .send({ invite, publicKey: generateSigningKeyPair().publicKey });
    expect(res.status).toBe(201);
  });
});
