// Runs several middlewares as one express layer. express walks its layer stack on every `next()`
// (path matching, prefix trimming, parameter handling per layer), which measured as a visible
// share of the intake route's main-thread time; a chain calls the next handler directly instead.
// Guarantees: the handlers run in order, each only after the previous called `next()`; the first
// `next(err)`, thrown error or rejected promise skips the rest and reaches express's error
// handling, exactly as if the handlers were registered one by one (test/unit/chain.test.ts);
// `next('route')`/`next('router')` are passed to express unchanged. One deliberate difference: a
// handler that throws or rejects with a falsy value (`throw undefined`) stops the request as an error;
// express alone would pass the falsy value to next() and run the next handler (a guard's throw would
// let the request through).
// It runs express's handlers and the plain ones of declared routes (http/direct-routes.ts) alike.

type Handler<Req, Res> = (req: Req, res: Res, next: (err?: unknown) => void) => unknown;

export function chain<Req, Res>(...handlers: Array<Handler<Req, Res>>): Handler<Req, Res> {
  return (req: Req, res: Res, done: (err?: unknown) => void) => {
    let i = 0;
    const next = (err?: unknown): void => {
      // express's rule: any truthy value is an error (or 'route'/'router'), falsy goes on
      if (err || i >= handlers.length) return done(err);
      const handler = handlers[i++]!;
      try {
        const out = handler(req, res, next) as unknown;
        if (out && typeof (out as Promise<unknown>).then === 'function') {
          (out as Promise<unknown>).then(undefined, (e: unknown) => done(e || new Error('rejected without a reason')));
        }
      } catch (e) {
        done(e || new Error('thrown without a reason'));
      }
    };
    next();
  };
}
