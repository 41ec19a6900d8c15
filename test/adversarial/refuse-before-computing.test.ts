// Refuse before computing (issue 20, item 4). The attacker holds a publisher's signed request, or is a
// publisher asking for what the server must refuse, and wants the server to pay for the answer
// anyway: counting every report and running the disclosure engine's linear programs (seconds to a
// minute on large tables) for a request that ends in a refusal. A replayed request (the same signed
// bytes again, through the API or reaching the service after another replica's original), a replayed
// dry run, a DP request the budget cannot pay for, and a request with the wrong k or method are each
// refused with their stable code, with NO counting and NO linear program (the release service's
// work tally, server/test-hooks.ts, stays at 0) and nothing written. A publication that would show an
// earlier, smaller-k figure below its k (`k_conflicts_with_log`) depends on which data version is
// counted, so counting may run, but no linear program does. Each refusal is paired with an accepted
// request that the tally does see, so a tally that counted nothing could not pass. On SQLite and on
// PostgreSQL (where several replicas share the nonce table).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../server/errors.js';
import { draftRelease, dryRunRelease } from '../../server/services/releases.js';
import type { Auth } from '../../server/services/context.js';
import { resetWorkTally, workTally } from '../../server/test-hooks.js';
import { enrolMember, newId, sampleReport, signed, startTestApp, type TestApp } from '../helpers/app.js';
import { providers, tableContents } from '../helpers/databases.js';

const SWITCH = 'CONTAMOS_TEST_TALLY_WORK';

describe.each(providers)('refused before computing (%s)', (provider) => {
  let t: TestApp;

  beforeAll(async () => {
    process.env[SWITCH] = '1';
    t = await startTestApp(provider, { minK: 3, dpBounds: { totalRho: '0.5', maxRho: '0.5' }, rateLimitPerMinute: 1000 });
    const org = await enrolMember(t);
    // 2023 by region: 12, 8, 6 and 5 (PE-CUS: at k = 5 a published figure, below a k of 6)
    for (const [region, n] of [
      ['PE-LMA', 12],
      ['PE-CAL', 8],
      ['PE-ARE', 6],
      ['PE-CUS', 5],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const res = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, org, sampleReport(t, { region }));
        expect(res.status).toBe(201);
      }
    }
  });
  afterAll(async () => {
    delete process.env[SWITCH];
    await t?.close();
  });

  const byRegion = { series: 'anual', filter: { year: 2023 }, tables: [['year', 'region']], k: 5 };
  const newNonce = () => randomBytes(16).toString('base64url');

  /** A request signed once, so that the very same bytes can be sent again. */
  function signedOnce(path: string, body: Record<string, unknown>) {
    const nonce = newNonce();
    const created = Math.floor(Date.now() / 1000);
    const send = () => signed(t.app, 'POST', path, t.publisher, body, { nonce, created });
    const auth = (): Auth => ({ keyId: t.publisher.keyId, role: 'publisher', nonce, created });
    return { send, auth };
  }

  /** Runs `act`, which must be refused with `code`; returns the work it caused and whether anything changed. */
  async function refusal(code: string, act: () => Promise<{ status: number; body: any } | unknown>) {
    const before = await tableContents(t.testDb);
    resetWorkTally();
    let got: string | undefined;
    try {
      const res = await act();
      got = (res as { body?: { error?: { code?: string } } }).body?.error?.code;
    } catch (e) {
      got = e instanceof AppError ? e.code : String(e);
    }
    const work = workTally();
    expect(got).toBe(code);
    expect(await tableContents(t.testDb)).toEqual(before);
    return work;
  }

  /** Runs an accepted request; returns its answer and the work it caused. */
  async function accepted(send: () => Promise<{ status: number; body: any }>, status = 201) {
    resetWorkTally();
    const res = await send();
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    return { res, work: workTally() };
  }

  describe('a replayed release request', () => {
    const original = signedOnce('/api/v1/releases', byRegion);

    it('the original is counted and protected (the tally sees its work)', async () => {
      const { res, work } = await accepted(original.send);
      expect(work.count).toBeGreaterThanOrEqual(1);
      expect(work.lp).toBeGreaterThanOrEqual(1);
      const cus = res.body.manifest.tables[0].cells.find((c: any) => c.key.region === 'PE-CUS');
      expect(cus).toMatchObject({ count: 5, suppressed: false });
    });

    it('the same signed bytes again: 401 replayed_nonce, nothing counted or solved, nothing written', async () => {
      const work = await refusal('replayed_nonce', original.send);
      expect(work).toEqual({ count: 0, lp: 0 });
    });

    it('the replay reaching the release service itself (past another replica’s middleware): refused before counting', async () => {
      expect(await refusal('replayed_nonce', () => draftRelease(t.ctx, original.auth(), byRegion as never))).toEqual({ count: 0, lp: 0 });
    });
  });

  describe('a replayed dry run', () => {
    const dry = signedOnce('/api/v1/releases/dry-run', { ...byRegion, series: 'prueba', k: 3 });

    it('the original is computed and answered once', async () => {
      const { work } = await accepted(dry.send, 200);
      expect(work.lp).toBeGreaterThanOrEqual(1);
    });

    it('the same signed bytes again: refused, not computed again', async () => {
      expect(await refusal('replayed_nonce', dry.send)).toEqual({ count: 0, lp: 0 });
      expect(await refusal('replayed_nonce', () => dryRunRelease(t.ctx, dry.auth(), { ...byRegion, series: 'prueba', k: 3 } as never))).toEqual({
        count: 0,
        lp: 0,
      });
    });
  });

  describe('a DP request the budget cannot pay for', () => {
    const dp = { series: 'ruido', method: 'dp', filter: { year: 2023 }, tables: [['year', 'region']], keepTotal: false };

    it('the first DP release spends the whole budget (the tally sees its work)', async () => {
      const { work } = await accepted(() => signed(t.app, 'POST', '/api/v1/releases', t.publisher, { ...dp, rho: '0.5' }));
      expect(work).toMatchObject({ count: 1 });
      expect(work.lp).toBeGreaterThanOrEqual(1);
    });

    it('over the budget, in this series or a new one: 409 budget_exceeded before counting, nothing written', async () => {
      for (const series of ['ruido', 'ruido-nuevo']) {
        const work = await refusal('budget_exceeded', () => signed(t.app, 'POST', '/api/v1/releases', t.publisher, { ...dp, series, epsilon: '0.01' }));
        expect(work).toEqual({ count: 0, lp: 0 });
      }
    });

    it('over the per-release limit, and a DP dry run: refused before counting', async () => {
      expect(await refusal('budget_over_release_limit', () => signed(t.app, 'POST', '/api/v1/releases', t.publisher, { ...dp, rho: '0.75' }))).toEqual({
        count: 0,
        lp: 0,
      });
      expect(await refusal('invalid_body', () => signed(t.app, 'POST', '/api/v1/releases/dry-run', t.publisher, { ...dp, rho: '0.1' }))).toEqual({
        count: 0,
        lp: 0,
      });
    });
  });

  describe('the wrong k or method', () => {
    const draft =
      (body: Record<string, unknown>, path = '/api/v1/releases') =>
      () =>
        signed(t.app, 'POST', path, t.publisher, body);

    it('k below the server minimum, a dry run of a new series at another k, k other than the series’: refused before counting', async () => {
      expect(await refusal('k_below_minimum', draft({ ...byRegion, series: 'nueva', k: 2 }))).toEqual({ count: 0, lp: 0 });
      expect(await refusal('k_below_minimum', draft({ ...byRegion, series: 'nueva', k: 4 }, '/api/v1/releases/dry-run'))).toEqual({ count: 0, lp: 0 });
      expect(await refusal('series_k_fixed', draft({ ...byRegion, k: 6 }))).toEqual({ count: 0, lp: 0 });
    });

    it('another method than the series’: refused before counting', async () => {
      expect(await refusal('series_method_mismatch', draft({ ...byRegion, k: undefined, method: 'dp', rho: '0.1' }))).toEqual({ count: 0, lp: 0 });
    });

    it('a k that would show an earlier, smaller-k figure below it: 409 k_conflicts_with_log before any linear program', async () => {
      const work = await refusal('k_conflicts_with_log', draft({ ...byRegion, series: 'otra', k: 6 }));
      expect(work.lp).toBe(0);
      // the same k over tables that hold no such figure is computed and accepted
      const { res, work: ok } = await accepted(draft({ series: 'otra', filter: { year: 2023 }, tables: [['year', 'incidentType']], k: 6 }));
      expect(ok.lp).toBeGreaterThanOrEqual(1);
      expect(res.body.manifest.k).toBe(6);
    });
  });

  describe('the tally itself', () => {
    it('counts nothing when the test-only switch is off', async () => {
      delete process.env[SWITCH];
      try {
        resetWorkTally();
        const res = await signed(t.app, 'POST', '/api/v1/releases/dry-run', t.publisher, { ...byRegion, series: 'apagado', k: 3 });
        expect(res.status).toBe(200);
        expect(workTally()).toEqual({ count: 0, lp: 0 });
      } finally {
        process.env[SWITCH] = '1';
      }
    });
  });
});
