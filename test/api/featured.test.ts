// The headline is the publisher's choice: the home page shows the newest release of the featured
// series; a release of another series (a test cut with a small k, a one-off) does not move it;
// only a publisher-signed request changes the choice, and a refused one changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { enrolMember, signed, startTestApp, type SigningKey, type TestApp } from '../helpers/app.js';
import { publish } from '../helpers/releases.js';
import { seedTwoYears } from '../open-data/helpers.js';
import { providers } from '../helpers/databases.js';

describe.each(providers)('the featured series (%s)', (provider) => {
  let t: TestApp;
  let member: SigningKey;

  const anual = { series: 'anual', filter: { years: [2023, 2024] }, k: 3, tables: [['year', 'incidentType']] };
  const prueba = { series: 'prueba', filter: { year: 2024 }, k: 2, tables: [['year']] };

  /** The release the page shows in full. */
  async function headline(path = '/'): Promise<string | undefined> {
    const res = await request(t.app).get(path);
    expect(res.status).toBe(200);
    return /id="release-title">[^<]*<code>([^<]+)<\/code>/.exec(res.text)?.[1];
  }

  beforeAll(async () => {
    t = await startTestApp(provider);
    await seedTwoYears(t);
    member = await enrolMember(t);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  describe('choice', () => {
    it('is nothing before the first release, then the first series published', async () => {
      expect((await request(t.app).get('/api/v1/featured')).body).toEqual({ series: null, chosen: false, release: null });
      await publish(t, anual);
      expect((await request(t.app).get('/api/v1/featured')).body).toEqual({ series: 'anual', chosen: false, release: 'anual-1' });
      expect(await headline()).toBe('anual-1');
    });

    it('a newer release of another series does not move the headline', async () => {
      await publish(t, prueba);
      expect(await headline('/')).toBe('anual-1');
      expect(await headline('/estadisticas')).toBe('anual-1');
      expect(await headline('/estadisticas/prueba-1')).toBe('prueba-1'); // still published and reachable
      expect((await request(t.app).get('/api/v1/featured')).body.release).toBe('anual-1');
    });

    it('the publisher chooses another series with a signed request', async () => {
      const res = await signed(t.app, 'PUT', '/api/v1/featured', t.publisher, { series: 'prueba' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ series: 'prueba', chosen: true, release: 'prueba-1' });
      expect(await headline()).toBe('prueba-1');
      expect((await signed(t.app, 'PUT', '/api/v1/featured', t.publisher, { series: 'anual' })).status).toBe(200);
      expect(await headline()).toBe('anual-1');
    });

    it('a new release of the featured series becomes the headline; one of another series does not', async () => {
      await publish(t, anual);
      expect(await headline()).toBe('anual-2');
      await publish(t, prueba);
      expect(await headline()).toBe('anual-2');
      expect((await request(t.app).get('/api/v1/featured')).body).toEqual({ series: 'anual', chosen: true, release: 'anual-2' });
    });

    it('refuses, and changes nothing: an unknown series, a bad name, an unknown field, other roles, no signature', async () => {
      const before = (await request(t.app).get('/api/v1/featured')).body;
      const unknown = await signed(t.app, 'PUT', '/api/v1/featured', t.publisher, { series: 'no-existe' });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('series_not_found');
      expect(unknown.body.error.message).toMatch(/publique una antes/);
      const bad = await signed(t.app, 'PUT', '/api/v1/featured', t.publisher, { series: 'Anual 2024' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('invalid_body');
      const extra = await signed(t.app, 'PUT', '/api/v1/featured', t.publisher, { series: 'prueba', release: 'prueba-1' });
      expect(extra.status).toBe(400);
      for (const key of [member, t.steward]) {
        const res = await signed(t.app, 'PUT', '/api/v1/featured', key, { series: 'prueba' });
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('forbidden_role');
      }
      const unsigned = await request(t.app).put('/api/v1/featured').set('content-type', 'application/json').send({ series: 'prueba' });
      expect(unsigned.status).toBe(401);
      // a replayed publisher request is refused too
      const nonce = 'bm9uY2Utbm9uY2Utbm9uY2UtMTIzNDU2';
      expect((await signed(t.app, 'PUT', '/api/v1/featured', t.publisher, { series: 'anual' }, { nonce })).status).toBe(200);
      const replay = await signed(t.app, 'PUT', '/api/v1/featured', t.publisher, { series: 'prueba' }, { nonce });
      expect(replay.status).toBe(401);
      expect((await request(t.app).get('/api/v1/featured')).body).toEqual(before);
      expect(await headline()).toBe('anual-2');
    });
  });
});
