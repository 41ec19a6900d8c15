// Starts Contamos: validates configuration, loads (or on first start creates) the key set,
// applies pending migrations, opens the database, makes sure the server's own secrets exist (in the
// database, shared by every replica) and listens. Housekeeping (purging expired
// nonces, invites, drafts, rate windows) runs on a timer; so does the Store's mix of the stored order
// of reports and members (PostgreSQL: db/mix-stored-order.ts; nothing to do on SQLite), once at
// start and every CONTAMOS_MIX_INTERVAL_S. SIGTERM/SIGINT close the listener, then the database.
import type { Server } from 'node:http';
import { ready } from '../crypto/index.js';
import { createApp } from './app.js';
import { type Config, loadConfig } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { migrate } from './db/migrate.js';
import { createLogger, type LogDestination, type Logger } from './http/logger.js';
import { serverKeysFor } from './keys.js';
import type { ServiceContext } from './services/context.js';
import { termsOf } from './open-data/terms.js';
import { purgeExpiredInvites } from './services/members.js';
import { purgeExpiredDrafts } from './services/releases.js';
import { purgeRateWindows } from './http/rate-limit.js';
import { dedupeRankSecret } from './services/server-secrets.js';

export interface Running {
  url: string;
  server: Server;
  ctx: ServiceContext;
  /** The concrete Store (its Prisma client is there for tests and operations). */
  db: Database;
  logger: Logger;
  close(): Promise<void>;
}

export async function startServer(config: Config = loadConfig(), logDestination?: LogDestination): Promise<Running> {
  const logger = createLogger(config.LOG_LEVEL, logDestination);
  await ready();
  const { keys, created } = serverKeysFor({ dir: config.CONTAMOS_HOME, keyFile: config.CONTAMOS_KEY_FILE, allowDemo: config.allowDemoKeys });
  if (created) {
    logger.warn(
      { keyDir: config.CONTAMOS_HOME },
      'no keys were configured: created a DEMO key set (server, steward, publisher) in this folder; move the steward and publisher private keys off this machine for real use',
    );
  }
  const applied = await migrate(config.DATABASE_URL);
  if (applied.length) logger.info({ migrations: applied }, 'migrations applied');
  const db = openDatabase(config.DATABASE_URL, { intakeConnections: config.CONTAMOS_PG_INTAKE_CONNECTIONS });
  const ctx: ServiceContext = {
    db,
    keys,
    now: () => Math.floor(Date.now() / 1000),
    policy: { minK: config.CONTAMOS_MIN_K, flagShare: config.CONTAMOS_FLAG_SHARE, holdingsCoalition: config.CONTAMOS_HOLDINGS_COALITION },
    dpBounds: config.dpBounds,
    terms: termsOf({
      coalition: config.CONTAMOS_COALITION_NAME,
      licence: config.CONTAMOS_LICENSE,
      licenceTitle: config.CONTAMOS_LICENSE_TITLE,
      licenceUrl: config.CONTAMOS_LICENSE_URL,
      citation: config.CONTAMOS_CITATION,
      publicUrl: config.CONTAMOS_PUBLIC_URL,
    }),
  };
  await dedupeRankSecret(ctx); // created by the first replica to start, read by the others
  const app = createApp(ctx, {
    logger,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    publicRateLimitPerMinute: config.PUBLIC_RATE_LIMIT_PER_MINUTE,
    memberDailyReports: config.CONTAMOS_MEMBER_DAILY_REPORTS,
    enrolAttemptsPerInvite: config.CONTAMOS_ENROL_ATTEMPTS_PER_INVITE,
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 5000;
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;

  const housekeeping = setInterval(() => {
    Promise.all([db.nonces.purgeExpired(ctx.now()), purgeExpiredInvites(ctx), purgeExpiredDrafts(ctx), purgeRateWindows(ctx)]).catch(() =>
      logger.warn('housekeeping skipped: database unavailable'),
    );
  }, 60_000);
  housekeeping.unref();
  const mix = () => {
    db.mixStoredOrder().catch(() => logger.warn('mixing the stored order skipped: database unavailable'));
  };
  mix();
  const mixing = setInterval(mix, config.CONTAMOS_MIX_INTERVAL_S * 1000);
  mixing.unref();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(housekeeping);
      clearInterval(mixing);
      await new Promise<void>((r) => server.close(() => r()));
      await db.close();
    })());
  logger.notice({ url }, 'contamos listening');
  return { url, server, ctx, db, logger, close };
}
