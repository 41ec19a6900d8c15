// http/direct-routes.ts and http/json.ts: a direct route is served on Node's plain request and
// response by the same handlers express would run, only for URLs matching its pattern exactly;
// everything else reaches express unchanged. sendJson writes what express's res.json writes.
import { IncomingMessage, ServerResponse } from 'node:http';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/errors.js';
import { chain } from '../../server/http/chain.js';
import { serveDirectly } from '../../server/http/direct-routes.js';
import { sendJson } from '../../server/http/json.js';

describe('sendJson', () => {
  it("writes the status, bytes and headers of express's res.status().json()", async () => {
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    let value: unknown;
    let status = 200;
    app.put('/express', (_req, res) => { res.status(status).json(value); });
    app.put('/direct', (_req, res) => { sendJson(res, status, value); });
    await fc.assert(fc.asyncProperty(fc.jsonValue(), fc.constantFrom(200, 201, 400, 409, 503), async (v, s) => {
      value = v;
      status = s;
      const [a, b] = [await request(app).put('/express'), await request(app).put('/direct')];
      expect(b.status).toBe(a.status);
      expect(b.text).toBe(a.text);
      expect(b.text).toBe(JSON.stringify(v));
      for (const h of ['content-type', 'content-length', 'etag', 'x-powered-by']) expect(b.headers[h]).toBe(a.headers[h]);
    }), { numRuns: 60 });
  });
});

/** An app with one route registered on express and served directly, as server/app.ts does. */
function appWithDirectRoute(routeHandler: RequestHandler) {
  const app = express();
  app.disable('x-powered-by');
  const common: RequestHandler = (_req, res, next) => { res.setHeader('X-Common', 'yes'); next(); };
  const seen: Array<{ plain: boolean; params: unknown; route: string; originalUrl: string }> = [];
  const record: RequestHandler = (req, _res, next) => {
    seen.push({
      plain: Object.getPrototypeOf(req) === IncomingMessage.prototype,
      params: { ...req.params },
      route: `${req.baseUrl}${(req as { route?: { path: string } }).route?.path}`,
      originalUrl: req.originalUrl,
    });
    next();
  };
  const route = chain(record, routeHandler);
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    const e = err instanceof AppError ? err : new AppError('internal');
    sendJson(res, e.status, { error: { code: e.code } });
  };
  app.use(common);
  app.put('/things/:id', route);
  app.use((_req, _res, next) => next(new AppError('not_found')));
  app.use(onError);
  serveDirectly(app, { method: 'PUT', template: '/things/:id', pattern: /^\/things\/(?<id>[^/?#%]+)(?:\?.*)?$/, handler: chain(common, route) }, onError);
  return { app, seen };
}

describe('serveDirectly', () => {
  const answer: RequestHandler = (req, res) => { sendJson(res, 201, { id: req.params.id, plainResponse: Object.getPrototypeOf(res) === ServerResponse.prototype }); };

  it.each([
    ['/things/abc', true, 'abc'],
    ['/things/abc?x=1&y', true, 'abc'],
    ['/things/abc/', false, 'abc'], // a trailing slash: express routes it (non-strict routing)
    ['/THINGS/abc', false, 'abc'], // other letter case: express routes it (case-insensitive)
    ['/things/a%20b', false, 'a b'], // percent-encoded: express decodes it
  ])('PUT %s is served %s by the same handlers (direct: %s)', async (url, direct, id) => {
    const { app, seen } = appWithDirectRoute(answer);
    const res = await request(app).put(url);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id, plainResponse: direct });
    expect(res.headers['x-common']).toBe('yes');
    expect(seen).toEqual([{ plain: direct, params: { id }, route: '/things/:id', originalUrl: url }]);
  });

  it('leaves other methods and paths to express', async () => {
    const { app, seen } = appWithDirectRoute(answer);
    expect((await request(app).get('/things/abc')).status).toBe(404);
    expect((await request(app).put('/things')).status).toBe(404);
    expect((await request(app).put('/things/abc/more')).status).toBe(404);
    expect(seen).toEqual([]);
  });

  it('sends thrown errors, rejected promises and next(err) to the error handler, as express does', async () => {
    const handlers: Record<string, RequestHandler> = {
      thrown: () => { throw new AppError('report_conflict'); },
      rejected: async () => { throw new AppError('report_conflict'); },
      next: (_req, _res, next) => next(new AppError('report_conflict')),
    };
    for (const h of Object.values(handlers)) {
      const { app } = appWithDirectRoute(h);
      const [direct, viaExpress] = [await request(app).put('/things/abc'), await request(app).put('/things/abc/')];
      expect(direct.status).toBe(409);
      expect(direct.body).toEqual({ error: { code: 'report_conflict' } });
      expect(viaExpress.status).toBe(direct.status);
      expect(viaExpress.body).toEqual(direct.body);
    }
  });

  it('answers 404 not_found when the handlers end without answering, as express does', async () => {
    const { app } = appWithDirectRoute((_req, _res, next) => next());
    const [direct, viaExpress] = [await request(app).put('/things/abc'), await request(app).put('/things/abc/')];
    expect(direct.status).toBe(404);
    expect(direct.body).toEqual({ error: { code: 'not_found' } });
    expect(viaExpress.body).toEqual(direct.body);
  });

  it('is not used when the app is mounted in another (express passes a next function)', async () => {
    const { app, seen } = appWithDirectRoute(answer);
    const outer = express();
    outer.use('/sub', app);
    const res = await request(outer).put('/sub/things/abc');
    expect(res.status).toBe(201);
    expect(seen).toEqual([{ plain: false, params: { id: 'abc' }, route: '/sub/things/:id', originalUrl: '/sub/things/abc' }]);
  });
});
