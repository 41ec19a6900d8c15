// A release is stored only if it extends its series' chain: a draft whose manifest names another
// previous release than the series' latest (a draft tampered with in the database, or a
// server bug) is refused 409 `release_stale` even with a valid publisher signature over it, and
// nothing is stored; the series' unique (series, sequence) key alone would not catch it, because
// the sequence is right. On SQLite and PostgreSQL. Shown to fail: docs/test-evidence.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, hashCanonical, signDetached } from '../../crypto/index.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type TestApp } from '../helpers/app.js';
import { providers } from '../helpers/databases.js';
import { publish } from '../helpers/releases.js';

describe.each(providers)('a release must extend its chain (%s)', (provider) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(provider);
    const org = await enrolMember(t);
    for (let i = 0; i < 6; i++) await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t));
  });
  afterAll(async () => t?.close());

  it('refuses a signed draft whose previousHash is not the latest release', async () => {
    const req = { series: 'cadena', filter: { year: 2023 }, tables: [['year', 'region']], k: 2 };
    const first = await publish(t, req);
    const draft = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, req);
    expect(draft.status).toBe(201);
    expect(draft.body.manifest.previousHash).toBe(first.hash);
    // the draft as stored, altered to fork the chain (same sequence, another predecessor)
    const forked = { ...draft.body.manifest, previousHash: 'f'.repeat(64) };
    await t.db.prisma.releaseDraft.update({ where: { id: draft.body.draftId }, data: { manifest: canonicalJson(forked), hash: hashCanonical(forked) } });
    const res = await signed(t.app, 'POST', `/api/v1/releases/drafts/${draft.body.draftId}/signature`, t.publisher, {
      signature: signDetached(canonicalJson(forked), t.publisher.secretKey),
    });
    expect([res.status, res.body.error?.code]).toEqual([409, 'release_stale']);
    expect(await t.db.prisma.release.count({ where: { series: 'cadena' } })).toBe(1);
  });
});
