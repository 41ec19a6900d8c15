// http/direct-routes.ts and http/json.ts: a declared route is served on Node's plain request and
// response by the same handlers express runs, only for URLs matching its path exactly; everything
// else reaches express, which serves the same declaration; both answer alike (status, body and
// every header). Handlers cannot use what only express has (the compiler refuses). sendJson
// writes what express's res.json writes.
import { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/errors.js';
import { declareRoute, directPattern, mountDeclaredRoutes, type PlainErrorHandler, type PlainHandler } from '../../server/http/direct-routes.js';
import { sendJson } from '../../server/http/json.js';

describe('sendJson', () => {
  it("writes the status, bytes and headers of express's res.status().json()", async () => {
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    let value: unknown;
    let status = 200;
    app.put('/express', (_req, res) => {
      res.status(status).json(value);
    });
    app.put('/direct', (_req, res) => {
      sendJson(res, status, value);
    });
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.constantFrom(200, 201, 400, 409, 503), async (v, s) => {
        value = v;
        status = s;
        const [a, b] = [await request(app).put('/express'), await request(app).put('/direct')];
        expect(b.status).toBe(a.status);
        expect(b.text).toBe(a.text);
        expect(b.text).toBe(JSON.stringify(v));
        for (const h of ['content-type', 'content-length', 'etag', 'x-powered-by']) expect(b.headers[h]).toBe(a.headers[h]);
      }),
      { numRuns: 60 },
    );
  });
});

/** An app with one declared route, served directly (or, with `direct: false`, only by express), as server/app.ts does. */
function appWithDeclaredRoute(routeHandler: PlainHandler, direct = true) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const common: PlainHandler = (_req, res, next) => {
    res.setHeader('X-Common', 'yes');
    next();
  };
  const seen: Array<{ plain: boolean; params: unknown; route: string; originalUrl: string }> = [];
  const record: PlainHandler = (req, _res, next) => {
    seen.push({
      plain: Object.getPrototypeOf(req) === IncomingMessage.prototype,
      params: { ...req.params },
      route: `${req.baseUrl}${req.route?.path}`,
      originalUrl: req.originalUrl,
    });
    next();
  };
  const onError: PlainErrorHandler = (err, _req, res, _next) => {
    const e = err instanceof AppError ? err : new AppError('internal');
    sendJson(res, e.status, { error: { code: e.code } });
  };
  mountDeclaredRoutes(app, [declareRoute('PUT', '/things/:id', record, routeHandler)], { common: [common], onError, direct });
  app.use((_req, _res, next) => next(new AppError('not_found')));
  app.use(onError);
  return { app, seen };
}

const comparable = (r: request.Response) => ({
  status: r.status,
  text: r.text,
  headers: Object.fromEntries(Object.entries(r.headers).filter(([k]) => k !== 'date')),
});

describe('declared routes', () => {
  // what the handler can see of the response tells which path served it; the body says nothing else
  const answer: PlainHandler = (req, res) => {
    sendJson(res, 201, { id: req.params.id });
  };
  const plainResponses: boolean[] = [];
  const answerAndNote: PlainHandler = (req, res) => {
    plainResponses.push(Object.getPrototypeOf(res) === ServerResponse.prototype);
    answer(req, res, () => undefined);
  };

  it.each([
    ['/things/abc', true, 'abc'],
    ['/things/abc?x=1&y', true, 'abc'],
    ['/things/abc/', false, 'abc'], // a trailing slash: express routes it (non-strict routing)
    ['/THINGS/abc', false, 'abc'], // other letter case: express routes it (case-insensitive)
    ['/things/a%20b', false, 'a b'], // percent-encoded: express decodes it
  ])('PUT %s is served by the same handlers (directly: %s) and answered exactly as express alone answers it', async (url, direct, id) => {
    plainResponses.length = 0;
    const both = appWithDeclaredRoute(answerAndNote);
    const expressOnly = appWithDeclaredRoute(answerAndNote, false);
    const [a, b] = [await request(both.app).put(url), await request(expressOnly.app).put(url)];
    expect(plainResponses).toEqual([direct, false]);
    expect(a.status).toBe(201);
    expect(a.body).toEqual({ id });
    expect(a.headers['x-common']).toBe('yes');
    expect(comparable(a)).toEqual(comparable(b));
    expect(both.seen).toEqual([{ plain: direct, params: { id }, route: '/things/:id', originalUrl: url }]);
    expect(expressOnly.seen).toEqual([{ plain: false, params: { id }, route: '/things/:id', originalUrl: url }]);
  });

  it('answers every URL as express alone does (random paths, queries, cases and encodings)', async () => {
    const both = appWithDeclaredRoute(answer);
    const expressOnly = appWithDeclaredRoute(answer, false);
    const segment = fc.stringMatching(/^[A-Za-z0-9%._~-]{0,12}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('things', 'THINGS', 'Things', 'thing'),
        segment,
        fc.constantFrom('', '/', '/x', '?q=1', '?'),
        async (first, id, tail) => {
          const url = `/${first}/${id}${tail}`;
          const [a, b] = [await request(both.app).put(url), await request(expressOnly.app).put(url)];
          expect(comparable(a)).toEqual(comparable(b));
        },
      ),
      { numRuns: 80 },
    );
  });

  it('leaves other methods and paths to express', async () => {
    const { app, seen } = appWithDeclaredRoute(answer);
    expect((await request(app).get('/things/abc')).status).toBe(404);
    expect((await request(app).put('/things')).status).toBe(404);
    expect((await request(app).put('/things/abc/more')).status).toBe(404);
    expect(seen).toEqual([]);
  });

  it('sends thrown errors, rejected promises and next(err) to the error handler, as express does', async () => {
    const handlers: Record<string, PlainHandler> = {
      thrown: () => {
        throw new AppError('report_conflict');
      },
      rejected: async () => {
        throw new AppError('report_conflict');
      },
      next: (_req, _res, next) => next(new AppError('report_conflict')),
    };
    for (const h of Object.values(handlers)) {
      const [direct, viaExpress] = [
        await request(appWithDeclaredRoute(h).app).put('/things/abc'),
        await request(appWithDeclaredRoute(h, false).app).put('/things/abc'),
      ];
      expect(direct.status).toBe(409);
      expect(direct.body).toEqual({ error: { code: 'report_conflict' } });
      expect(comparable(viaExpress)).toEqual(comparable(direct));
    }
  });

  it('answers 404 not_found when the handlers end without answering, as express does', async () => {
    const h: PlainHandler = (_req, _res, next) => next();
    const [direct, viaExpress] = [
      await request(appWithDeclaredRoute(h).app).put('/things/abc'),
      await request(appWithDeclaredRoute(h, false).app).put('/things/abc'),
    ];
    expect(direct.status).toBe(404);
    expect(direct.body).toEqual({ error: { code: 'not_found' } });
    expect(comparable(viaExpress)).toEqual(comparable(direct));
  });

  it('is not used when the app is mounted in another (express passes a next function)', async () => {
    const { app, seen } = appWithDeclaredRoute(answer);
    const outer = express();
    outer.use('/sub', app);
    const res = await request(outer).put('/sub/things/abc');
    expect(res.status).toBe(201);
    expect(seen).toEqual([{ plain: false, params: { id: 'abc' }, route: '/sub/things/:id', originalUrl: '/sub/things/abc' }]);
  });

  it('must be mounted first: express would otherwise route a URL elsewhere than the direct path does', () => {
    const app = express();
    app.put('/things/:id', (_req, res) => {
      res.status(204).end();
    });
    expect(() => mountDeclaredRoutes(app, [declareRoute('PUT', '/things/:id', answer)], { common: [], onError: (_e, _q, _s, _n) => undefined })).toThrow(
      /first/,
    );
    // and an error handler express would not recognise as one (not four parameters) is refused
    expect(() => mountDeclaredRoutes(express(), [], { common: [], onError: (_e, _q, _s) => undefined })).toThrow(/four/);
  });

  it('derives the direct pattern from the path, and refuses paths it could not follow exactly', () => {
    expect(directPattern('/api/v1/reports/:id').source).toBe(String.raw`^\/api\/v1\/reports\/(?<id>[^/?#%]+)(?:\?.*)?$`);
    expect(directPattern('/a.b/:x').exec('/a.b/1?z')?.groups).toEqual({ x: '1' });
    expect(directPattern('/a.b/:x').exec('/aXb/1')).toBeNull();
    for (const p of ['/files/*rest', '/a/:id?', '/a/{:id}', 'relative', '/a//b', '/a/', '/a/:i-d', '/a b']) expect(() => declareRoute('GET', p)).toThrow();
    // a one-segment path is a path
    expect(directPattern('/health').exec('/health?x')).not.toBeNull();
    expect(directPattern('/health').exec('/healthz')).toBeNull();
  });

  it('refuses each unfollowable path for its own reason (not by a later accident such as an invalid RegExp)', () => {
    const refusals: Array<[string, RegExp]> = [
      ['', /non-empty segments: $/],
      ['relative', /non-empty segments: relative$/],
      ['a/b', /non-empty segments: a\/b$/], // without the leading slash it would be served at /b
      ['/a//b', /non-empty segments: \/a\/\/b$/],
      ['/a/', /non-empty segments: \/a\/$/],
      ['/a/:id?', /unsupported parameter in a declared route: :id\?$/],
      ['/a/:i-d', /unsupported parameter in a declared route: :i-d$/],
      ['/a/:', /unsupported parameter in a declared route: :$/],
      ['/a/::id', /unsupported parameter in a declared route: ::id$/],
      ['/a/:id$', /unsupported parameter in a declared route: :id\$$/], // a valid RegExp group name, refused all the same
      ['/files/*rest', /unsupported segment in a declared route: \*rest$/],
      ['/a/{:id}', /unsupported segment in a declared route: \{:id\}$/],
      ['/a b', /unsupported segment in a declared route: a b$/],
    ];
    for (const [path, reason] of refusals) expect(() => declareRoute('GET', path), path).toThrow(reason);
  });

  it('types handlers so that express-only features do not compile', () => {
    // Each line below is a compile error (tsc --noEmit, part of npm test): @ts-expect-error fails if it is not.
    declareRoute('PUT', '/x/:id', (_req, res) => {
      // @ts-expect-error res.json is express's
      res.json({});
    });
    declareRoute('PUT', '/x/:id', (_req, res) => {
      // @ts-expect-error res.status is express's
      res.status(201);
    });
    // @ts-expect-error req.query is express's
    declareRoute('PUT', '/x/:id', (req) => req.query);
    // @ts-expect-error req.get is express's
    declareRoute('PUT', '/x/:id', (req) => req.get('host'));
    // what both paths have compiles
    declareRoute('PUT', '/x/:id', (req, res) => {
      res.setHeader('X', String(req.params.id));
      res.end();
    });
  });
});
