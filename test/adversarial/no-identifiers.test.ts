// Adversarial: every route is called with marker client addresses in every forwarding header, a
// marker User-Agent, Referer and cookie; then every table of the database and every log line is
// scanned for the markers (and for the real loopback address the requests came from).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { generateSigningKeyPair } from '../../crypto/index.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type TestApp } from '../helpers/app.js';
import { dumpDatabase, providers } from '../helpers/databases.js';
import { MARKERS, forbidden, markerHeaders } from '../helpers/markers.js';
import { logLineFaults } from '../helpers/log-lines.js';

describe.each(providers)('no identifier reaches the database or the logs (%s)', (provider) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(provider);
  });
  afterAll(async () => t?.close());

  it('sends marker headers on every route, then finds no marker anywhere', async () => {
    const h = markerHeaders;
    // public routes
    await request(t.app).get('/api/v1/health').set(h);
    await request(t.app).get('/api/v1/taxonomy').set(h);
    await request(t.app).get('/.well-known/contamos.json').set(h);
    await request(t.app).get('/api/v1/does-not-exist').set(h);
    // steward invite + enrolment
    const inv = await signed(t.app, 'POST', '/api/v1/invites', t.steward, {}, { headers: h });
    expect(inv.status).toBe(201);
    const kp = generateSigningKeyPair();
    const en = await request(t.app)
      .post('/api/v1/enrol')
      .set(h)
      .set('content-type', 'application/json')
      .send({ invite: inv.body.invite, publicKey: kp.publicKey });
    expect(en.status).toBe(201);
    const org = { keyId: en.body.keyId as string, ...kp };
    // member routes, successes and refusals
    const id = newId();
    expect((await signed(t.app, 'PUT', `/api/v1/reports/${id}`, org, sampleReport(t), { headers: h })).status).toBe(201);
    expect((await signed(t.app, 'PUT', `/api/v1/reports/${id}`, org, sampleReport(t, { year: 2020 }), { headers: h })).status).toBe(409);
    expect((await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, { nope: MARKERS.v4 }, { headers: h })).status).toBe(400);
    expect((await signed(t.app, 'GET', `/api/v1/reports/${id}`, org, undefined, { headers: h })).status).toBe(200);
    expect((await signed(t.app, 'GET', '/api/v1/reports', org, undefined, { headers: h })).status).toBe(200);
    const amend = newId();
    expect((await signed(t.app, 'PUT', `/api/v1/reports/${amend}`, org, sampleReport(t, { supersedes: id }), { headers: h })).status).toBe(201);
    expect((await signed(t.app, 'POST', `/api/v1/reports/${amend}/withdraw`, org, undefined, { headers: h })).status).toBe(200);
    expect((await request(t.app).put(`/api/v1/reports/${newId()}`).set(h).set('content-type', 'application/json').send('{}')).status).toBe(401);
    expect((await signed(t.app, 'GET', '/api/v1/steward/reports', t.steward, undefined, { headers: h })).status).toBe(200);
    const other = await enrolMember(t);
    expect((await signed(t.app, 'DELETE', `/api/v1/members/${other.keyId}`, t.steward, undefined, { headers: h })).status).toBe(200);

    const responsesSetCookie = await request(t.app).get('/api/v1/health').set(h);
    expect(responsesSetCookie.headers['set-cookie']).toBeUndefined();

    const dump = await dumpDatabase(t.testDb);
    const logs = t.logs.join('');
    expect(dump.length).toBeGreaterThan(500);
    expect(t.logs.length).toBeGreaterThan(10);
    for (const m of forbidden) {
      expect(dump, `database contains ${m}`).not.toContain(m);
      expect(logs, `logs contain ${m}`).not.toContain(m);
    }
    // access log lines have exactly method, route template, status and latency; no line has a time
    expect(logLineFaults(t.logs)).toEqual([]);
    for (const line of t.logs.map((l) => JSON.parse(l))) {
      if (line.msg !== 'request') continue;
      expect(Object.keys(line).sort()).toEqual(['method', 'ms', 'msg', 'route', 'status']);
      expect(line.route).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/);
    }
  });
});
