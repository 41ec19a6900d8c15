// An in-process Contamos for tests: a fresh database (SQLite or PostgreSQL), a freshly generated
// key set in a temporary folder, and a logger whose every line is kept for inspection.
// `signed()` builds supertest requests signed like a real client's.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { generateSigningKeyPair, parseKeyFile, ready, sealNarrative, signRequest } from '../../crypto/index.js';
import { createApp } from '../../server/app.js';
import { openDatabase, type Database } from '../../server/db/client.js';
import { migrate } from '../../server/db/migrate.js';
import { createLogger } from '../../server/http/logger.js';
import { createKeySet, loadServerKeys, type ServerKeys } from '../../server/keys.js';
import type { ServiceContext } from '../../server/services/context.js';
import type { DpBounds } from '../../server/dp/bounds.js';
import { createTestDatabase, type TestDatabase, type TestProvider } from './databases.js';

export interface SigningKey {
  keyId: string;
  publicKey: string;
  secretKey: string;
}

export interface TestApp {
  app: Express;
  ctx: ServiceContext;
  db: Database;
  testDb: TestDatabase;
  keys: ServerKeys;
  steward: SigningKey & { sealPublicKey: string; sealSecretKey: string };
  publisher: SigningKey;
  logs: string[];
  clock: { offset: number };
  close(): Promise<void>;
}

export async function startTestApp(
  provider: TestProvider,
  opts: {
    bodyLimitBytes?: number;
    rateLimitPerMinute?: number;
    publicRateLimitPerMinute?: number;
    memberDailyReports?: number;
    enrolAttemptsPerInvite?: number;
    minK?: number;
    holdingsCoalition?: number;
    dpBounds?: DpBounds;
  } = {},
): Promise<TestApp> {
  await ready();
  const keyDir = mkdtempSync(path.join(tmpdir(), 'contamos-keys-'));
  const files = createKeySet(keyDir);
  const keys = loadServerKeys(files.serverFile);
  const stewardFile = parseKeyFile(readFileSync(files.stewardFile, 'utf8'));
  const publisherFile = parseKeyFile(readFileSync(files.publisherFile, 'utf8'));
  const testDb = await createTestDatabase(provider);
  await migrate(testDb.url);
  const db = openDatabase(testDb.url);
  const clock = { offset: 0 };
  const { dpBounds, minK, holdingsCoalition, ...appOpts } = opts;
  // Tests choose small k to keep their data small; the server's own default minimum is 5.
  const ctx: ServiceContext = {
    db,
    keys,
    now: () => Math.floor(Date.now() / 1000) + clock.offset,
    policy: { minK: minK ?? 2, ...(holdingsCoalition ? { holdingsCoalition } : {}) },
    ...(dpBounds ? { dpBounds } : {}),
  };
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const app = createApp(ctx, { logger: createLogger('info', sink), ...appOpts });
  return {
    app,
    ctx,
    db,
    testDb,
    keys,
    logs,
    clock,
    steward: {
      keyId: stewardFile.keyId!,
      publicKey: stewardFile.signing!.publicKey,
      secretKey: stewardFile.signing!.secretKey!,
      sealPublicKey: stewardFile.seal!.publicKey,
      sealSecretKey: stewardFile.seal!.secretKey!,
    },
    publisher: { keyId: publisherFile.keyId!, publicKey: publisherFile.signing!.publicKey, secretKey: publisherFile.signing!.secretKey! },
    close: async () => {
      await db.close();
      await testDb.drop();
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
}

export interface SignedOptions {
  headers?: Record<string, string>;
  created?: number;
  nonce?: string;
  contentType?: string | null;
}

/** A supertest request signed with `key` over the exact body bytes sent. */
export async function signed(app: Express, method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, key: SigningKey, body?: unknown, opts: SignedOptions = {}) {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const sig = await signRequest({ method, url, body: text }, { keyId: key.keyId, secretKey: key.secretKey }, { created: opts.created, nonce: opts.nonce });
  let req = request(app)[method.toLowerCase() as 'get' | 'put' | 'post' | 'delete'](url);
  for (const [k, v] of Object.entries({ ...sig, ...(opts.headers ?? {}) })) req = req.set(k, v);
  if (text.length > 0 && opts.contentType !== null) req = req.set('content-type', opts.contentType ?? 'application/json');
  return text.length > 0 ? req.send(text) : req;
}

/** Invites and enrols a new member with a key pair made here (as on the organisation's device). */
/** A new member key; `sameOrganisationAs`: one more key of that member's organisation (the invite says so). */
export async function enrolMember(t: TestApp, sameOrganisationAs?: string): Promise<SigningKey> {
  const inv = await signed(t.app, 'POST', '/api/v1/invites', t.steward, sameOrganisationAs ? { sameOrganisationAs } : {});
  if (inv.status !== 201) throw new Error(`invite failed: ${inv.status} ${JSON.stringify(inv.body)}`);
  const kp = generateSigningKeyPair();
  const res = await request(t.app).post('/api/v1/enrol').set('content-type', 'application/json').send({ invite: inv.body.invite, publicKey: kp.publicKey });
  if (res.status !== 201) throw new Error(`enrol failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { keyId: res.body.keyId, ...kp };
}

export function sampleReport(t: { steward: { sealPublicKey: string } }, over: Record<string, unknown> = {}) {
  return {
    year: 2023,
    region: 'PE-LMA',
    incidentType: 'homicide',
    victimGender: 'trans-woman',
    victimNationality: 'VE',
    victimAgeBand: '25-34',
    perpetratorType: 'criminal-organisation',
    sealedNarrative: sealNarrative('Testimonio de prueba: nombre y lugar que el servidor nunca debe ver.', t.steward.sealPublicKey),
    ...over,
  };
}

export const newId = () => randomUUID();

/** Submits `n` reports signed by `key` (sampleReport with `over`); throws unless each is stored (201). Their ids. */
export async function submitReports(t: TestApp, key: SigningKey, n: number, over: Record<string, unknown>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = newId();
    const res = await signed(t.app, 'PUT', `/api/v1/reports/${id}`, key, sampleReport(t, over));
    if (res.status !== 201) throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.body)}`);
    ids.push(id);
  }
  return ids;
}
