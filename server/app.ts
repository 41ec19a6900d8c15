// The express application. Guarantees at this level: proxies are not trusted and no code reads
// the client's address; no cookies are set or read; security headers (helmet) with a strict CSP
// and no referrer; every body is read raw under a size limit; every error has the JSON shape;
// the access log carries method, route template, status and latency only. All of this holds for
// report intake too, a declared route that the app also serves directly on Node's request and
// response, with the same handlers (http/direct-routes.ts).
import express from 'express';
import type { Logger } from './http/logger.js';
import { accessLog } from './http/logger.js';
import { configureKnown } from './http/known-credentials.js';
import { intakeLimits } from './http/rate-limit.js';
import { shedUnauthenticated } from './http/shed.js';
import { rawBody } from './http/body.js';
import { securityHeaders } from './http/security-headers.js';
import type { HelmetOptions } from 'helmet';
import { errorHandler, notFound } from './http/errors.js';
import { publicRoutes } from './routes/public.js';
import { memberRoutes } from './routes/members.js';
import { intakeRoute, reportRateLimit, reportRoutes } from './routes/reports.js';
import { mountDeclaredRoutes } from './http/direct-routes.js';
import { releaseRoutes } from './routes/releases.js';
import { stewardRoutes } from './routes/steward.js';
import { webRoutes } from './routes/web.js';
import type { ServiceContext } from './services/context.js';
import { useNativeCrypto } from './native-crypto.js';

/** helmet's configuration: a strict CSP (nothing from another origin, no inline script), no referrer. */
export const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
};

export interface AppOptions {
  logger: Logger;
  bodyLimitBytes?: number;
  rateLimitPerMinute?: number;
  publicRateLimitPerMinute?: number;
  /** New reports per member per UTC day (0: no limit); absent: the configuration's default. */
  memberDailyReports?: number;
  enrolAttemptsPerInvite?: number;
}

/** CONTAMOS_MEMBER_DAILY_REPORTS's default, also the app's when none is given. */
export const DEFAULT_MEMBER_DAILY_REPORTS = 5000;

export function createApp(ctx: ServiceContext, opts: AppOptions): express.Express {
  useNativeCrypto();
  const app = express();
  app.set('trust proxy', false);
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  // The three that every request passes, mounted as one layer (see http/chain.ts) with the
  // declared routes below.
  const everyRequest = [accessLog(opts.logger), securityHeaders(HELMET_OPTIONS), rawBody(opts.bodyLimitBytes ?? 128 * 1024)];
  const onError = errorHandler(opts.logger);

  // The API routes come first, the busiest (report intake, a declared route) first of all:
  // express tries layers in order, so a submission matches without walking the other routers or
  // the web pages' routes. No two share a path, so the order changes nothing else (the API tests
  // cover every route).
  const limits = { perMinute: opts.rateLimitPerMinute ?? 600, publicPerMinute: opts.publicRateLimitPerMinute ?? 6000 };
  const daily = opts.memberDailyReports ?? DEFAULT_MEMBER_DAILY_REPORTS;
  // Global buckets of unauthenticated work and the credentials this process knows (http/known-credentials.ts).
  const known = configureKnown(ctx, { publicPerMinute: limits.publicPerMinute, enrolPerInvitePerMinute: opts.enrolAttemptsPerInvite ?? 10 });
  const pub = publicRoutes(ctx);
  const reportLimit = reportRateLimit(ctx, limits);
  const intake = intakeRoute(ctx, intakeLimits(ctx, { perMinute: limits.perMinute, dailyReports: daily === 0 ? Infinity : daily }));
  // Report intake is served by express and, for its exact URLs, without express's per-request
  // machinery, both from the one declaration (http/direct-routes.ts).
  mountDeclaredRoutes(app, [intake], { common: everyRequest, onError });
  app.use('/api/v1', reportRoutes(ctx, reportLimit));
  app.use('/api/v1', memberRoutes(ctx, limits));
  app.use('/api/v1', releaseRoutes(ctx, limits));
  app.use('/api/v1', stewardRoutes(ctx, limits));
  app.use('/api/v1', pub.api);
  app.use('/.well-known', pub.wellKnown);
  app.use(webRoutes(ctx));

  app.use(notFound);
  app.use(onError);
  // Outermost: unsigned requests beyond the global bounds are refused before anything else runs.
  shedUnauthenticated(app, known);
  return app;
}
