// http/chain.ts: handlers chained into one express layer behave as if registered one by one.
import express, { type RequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { chain } from '../../server/http/chain.js';

function appWith(handlers: RequestHandler[], chained: boolean) {
  const app = express();
  const seen: string[] = [];
  const mark =
    (name: string): RequestHandler =>
    (_req, _res, next) => {
      seen.push(name);
      next();
    };
  const finish: RequestHandler = (_req, res) => {
    seen.push('finish');
    res.json({ seen });
  };
  const all = [mark('first'), ...handlers, mark('last'), finish];
  if (chained) app.get('/x', chain(...all));
  else app.get('/x', ...all);
  app.get('/x', (_req, res) => {
    res.status(202).json({ seen, fallback: true });
  });
  app.use(((err, _req, res, _next) => {
    res.status(500).json({ seen, error: String((err as Error)?.message ?? err) });
  }) as express.ErrorRequestHandler);
  return app;
}

const cases: Array<[string, RequestHandler[]]> = [
  ['plain order', [(_q, _s, n) => n()]],
  ['next(null) and next(false) go on', [(_q, _s, n) => n(null), (_q, _s, n) => (n as (e: unknown) => void)(false)]],
  [
    'asynchronous next',
    [
      (_q, _s, n) => {
        setTimeout(() => n(), 1);
      },
    ],
  ],
  ['next(err) skips the rest', [(_q, _s, n) => n(new Error('boom'))]],
  [
    'a thrown error skips the rest',
    [
      () => {
        throw new Error('thrown');
      },
    ],
  ],
  [
    'a rejected promise skips the rest',
    [
      async () => {
        throw new Error('rejected');
      },
    ],
  ],
  ["next('route') goes to the next route", [(_q, _s, n) => n('route')]],
  // a handler's return value matters only when it is a promise: `(req, res, next) => res.json(…)`
  // style handlers return truthy values that have no `then`, or a `then` that is not a function
  [
    'a returned value that is not a promise is ignored',
    [
      (_q, s, n) => {
        setTimeout(() => n(), 1);
        return s;
      },
      (_q, _s, n) => {
        setTimeout(() => n(), 1);
        // biome-ignore lint/suspicious/noThenProperty: a `then` that is not a function is the case under test
        return { then: 'not a function' };
      },
    ],
  ],
];

describe('chain()', () => {
  it.each(cases)('%s: same answer as separate layers', async (_name, handlers) => {
    const separate = await request(appWith(handlers, false)).get('/x');
    const chained = await request(appWith(handlers, true)).get('/x');
    expect([chained.status, chained.body]).toEqual([separate.status, separate.body]);
  });

  // express lets a handler that throws a falsy value (`throw undefined`) through to the next handler
  // (router 2.x calls next(err) with the falsy value, which means "go on"): a guard written that way
  // would let the request reach the route. A chain stops it, as an error, like a rejection without a reason.
  it.each([undefined, null, 0, '', false])('a guard that throws %s stops the request (express alone would let it through)', async (falsy) => {
    const guard: RequestHandler = () => {
      throw falsy;
    };
    const separate = await request(appWith([guard], false)).get('/x');
    expect(separate.body).toEqual({ seen: ['first', 'last', 'finish'] }); // express's behaviour, which the chain refuses
    const chained = await request(appWith([guard], true)).get('/x');
    expect(chained.status).toBe(500);
    expect(chained.body).toEqual({ seen: ['first'], error: 'thrown without a reason' });
  });

  it.each([undefined, null, 0, '', false])('a guard whose promise rejects with %s stops the request', async (falsy) => {
    const guard: RequestHandler = () => Promise.reject(falsy);
    const chained = await request(appWith([guard], true)).get('/x');
    expect(chained.status).toBe(500);
    expect(chained.body).toEqual({ seen: ['first'], error: 'rejected without a reason' });
  });

  it('the cases above really differ from one another (the comparison can fail)', async () => {
    const answers = await Promise.all(cases.map(async ([, h]) => JSON.stringify((await request(appWith(h, true)).get('/x')).body)));
    expect(new Set(answers).size).toBeGreaterThanOrEqual(5);
  });
});
