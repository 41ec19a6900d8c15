// Security headers (helmet) computed once instead of on every request. helmet's middlewares with
// a static configuration (no CSP nonces) always set the same headers, so they are run once at
// start against a recording response and the result is replayed: the same headers, byte for
// byte, as `app.use(helmet(options))`, for one `setHeader` loop instead of thirteen middlewares
// (measured at ~5% of the intake route's main-thread time). test/api/security-headers.test.ts
// checks the replay against helmet itself.
import type { PlainHandler } from './direct-routes.js';
import helmet, { type HelmetOptions } from 'helmet';

export function recordedHelmetHeaders(options: HelmetOptions): Array<[string, string]> {
  const set = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: unknown) {
      set.set(name, String(value));
    },
    removeHeader(name: string) {
      set.delete(name);
    },
    getHeader(name: string) {
      return set.get(name);
    },
  };
  let called = false;
  helmet(options)({} as never, recorder as never, (err?: unknown) => {
    if (err) throw err;
    called = true;
  });
  // helmet's middlewares are synchronous with a static configuration; refuse to guess otherwise.
  if (!called) throw new Error('helmet did not finish synchronously: its headers cannot be precomputed');
  return [...set];
}

export function securityHeaders(options: HelmetOptions): PlainHandler {
  const headers = recordedHelmetHeaders(options);
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
