// Check 6 (inventory): the database and the logs hold no address, user agent, e-mail, phone number
// or plaintext narrative — and the auditor never prints what it found.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, generateSealKeyPair, generateSigningKeyPair, ready, sealNarrative, sha256Hex } from '../../crypto/index.js';
import { detect } from '../../scripts/audit/detect.js';
import { renderText } from '../../scripts/audit/report.js';
import { type TestDatabase, createTestDatabase, providers } from '../helpers/databases.js';
import { audit, failureCodes, makeKeys, sampleEnvelope, tempDir, cleanTemp } from './fixtures.js';

afterAll(cleanTemp);

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const IP = '190.42.17.5';

function migrationSql(provider: 'sqlite' | 'postgres'): string[] {
  const dir = path.join(ROOT, 'prisma', provider, 'migrations');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => readFileSync(path.join(dir, f), 'utf8'));
}

interface Row {
  table: string;
  values: Record<string, unknown>;
}

/** Plausible rows of every table: pseudonyms, keys, hashes, a sealed narrative, a release. */
async function cleanRows(): Promise<Row[]> {
  await ready();
  const steward = generateSealKeyPair();
  const member = generateSigningKeyPair();
  const keyId = `m-${randomBytes(12).toString('base64url')}`;
  const keys = await makeKeys();
  const env = sampleEnvelope(keys);
  const rows: Row[] = [
    { table: 'Member', values: { keyId, publicKey: member.publicKey, revoked: 0 } },
    { table: 'Invite', values: { tokenHash: sha256Hex(randomBytes(32)), expiresAt: 1_790_000_000 } },
    { table: 'Nonce', values: { hash: sha256Hex(randomBytes(32)), expiresAt: 1_790_000_300 } },
    {
      table: 'Release',
      values: { id: 'anual-1', series: 'anual', sequence: 1, hash: env.hash, manifest: canonicalJson(env.manifest), signature: env.signature!.value },
    },
  ];
  for (let i = 0; i < 5; i++) {
    rows.push({
      table: 'Report',
      values: {
        id: randomUUID(),
        memberKeyId: keyId,
        year: 2023,
        quarter: (i % 4) + 1,
        region: 'PE-LMA',
        incidentType: 'homicide',
        victimGender: 'trans-woman',
        victimNationality: 'VE',
        victimAgeBand: '25-34',
        perpetratorType: 'criminal-organisation',
        outcome: null,
        sealedNarrative: sealNarrative('La encontraron sin vida cerca del mercado, según su compañera de cuarto.', steward.publicKey),
        dedupeTag: sha256Hex(randomBytes(8)),
        supersedes: null,
        status: 'active',
        reportHash: sha256Hex(randomBytes(8)),
      },
    });
  }
  return rows;
}

/** A safe value for a NOT NULL column the test does not know (the schema evolves). */
function filler(type: string): unknown {
  if (/bool/i.test(type)) return false;
  if (/int|numeric|real|double/i.test(type)) return 0;
  if (/blob|bytea/i.test(type)) return randomBytes(64);
  return sha256Hex(randomBytes(16));
}

async function fill(db: TestDatabase, rows: Row[]): Promise<void> {
  if (db.provider === 'sqlite') {
    const conn = new Database(db.url.replace(/^file:/, ''));
    try {
      for (const sql of migrationSql('sqlite')) conn.exec(sql);
      for (const r of rows) {
        const info = conn.prepare(`PRAGMA table_info("${r.table}")`).all() as Array<{
          name: string;
          type: string;
          notnull: number;
          dflt_value: unknown;
          pk: number;
        }>;
        const values: Record<string, unknown> = { ...r.values };
        for (const c of info) if (!(c.name in values) && c.notnull && c.dflt_value === null) values[c.name] = filler(c.type);
        for (const k of Object.keys(values)) if (!info.some((c) => c.name === k)) delete values[k];
        const cols = Object.keys(values);
        conn
          .prepare(`INSERT INTO "${r.table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`)
          .run(...Object.values(values).map((v) => v ?? null));
      }
    } finally {
      conn.close();
    }
    return;
  }
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    for (const sql of migrationSql('postgres')) await c.query(sql);
    for (const r of rows) {
      const info = (
        await c.query(
          "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
          [r.table],
        )
      ).rows as Array<{ column_name: string; data_type: string; is_nullable: string; column_default: unknown }>;
      const values: Record<string, unknown> = { ...r.values };
      for (const col of info)
        if (!(col.column_name in values) && col.is_nullable === 'NO' && col.column_default === null) values[col.column_name] = filler(col.data_type);
      for (const k of Object.keys(values)) if (!info.some((col) => col.column_name === k)) delete values[k];
      const cols = Object.keys(values);
      const vals = Object.entries(values).map(([k, v]) => (k === 'revoked' ? v === 1 || v === true : v));
      await c.query(`INSERT INTO "${r.table}" (${cols.map((x) => `"${x}"`).join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, vals);
    }
  } finally {
    await c.end();
  }
}

describe('detectors', () => {
  it('find addresses, e-mails, phones, user agents and narrative', () => {
    expect(detect(`client ${IP} connected`)).toEqual(['ip-address']);
    expect(detect('2001:db8::42')).toEqual(['ip-address']);
    expect(detect('::ffff:190.42.17.5')).toEqual(['ip-address']);
    expect(detect('escribir a maria.perez@example.pe')).toEqual(['email']);
    expect(detect('987654321')).toEqual(['phone']);
    expect(detect('+51 987 654 321')).toEqual(['phone']);
    expect(detect('+14155552671')).toEqual(['phone']);
    expect(detect('Mozilla/5.0 (X11; Linux x86_64)')).toContain('user-agent');
    expect(detect('curl/8.5.0')).toEqual(['user-agent']);
    expect(detect('La encontraron sin vida cerca del mercado de Lima')).toEqual(['narrative']);
    expect(detect(Buffer.from('La encontraron sin vida cerca del mercado de Lima, dijo su amiga').toString('base64'))).toEqual(['narrative']);
  });

  it('leave alone hashes, UUIDs, keys, sealed narratives, codes, dates, times and loopback addresses', async () => {
    await ready();
    const steward = generateSealKeyPair();
    const clean = [
      sha256Hex('x'),
      randomUUID(),
      generateSigningKeyPair().publicKey,
      generateSigningKeyPair().secretKey,
      sealNarrative('La encontraron sin vida cerca del mercado, según su compañera.', steward.publicKey),
      `m-${randomBytes(12).toString('base64url')}`,
      'PE-LMA',
      'sexual-violence',
      'Lima Metropolitana',
      '2026-11-28',
      '2026-11-28T12:30:45.123Z',
      '12:30:45',
      '1790000000',
      '1700000000000',
      '0.912345678',
      '2026.1',
      '0001_init.sql',
      'http://127.0.0.1:8080',
      'http://0.0.0.0:3000',
      '::1',
      `sha-256=:${randomBytes(32).toString('base64')}:`,
      '/api/v1/releases/:id/proof/:reportId',
    ];
    for (const v of clean) expect(detect(v), v.slice(0, 40)).toEqual([]);
    for (let i = 0; i < 300; i++) {
      expect(detect(sealNarrative(randomBytes(20).toString('hex'), steward.publicKey))).toEqual([]);
      expect(detect(randomBytes(48).toString('base64'))).toEqual([]);
    }
  });
});

describe.each(providers)('inventory (%s)', (provider) => {
  let db: TestDatabase;
  let rows: Row[];

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    rows = await cleanRows();
    await fill(db, rows);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('passes a database that keeps only what the design allows, and lists it', async () => {
    const report = await audit({ database: db.url });
    expect(report.findings).toEqual([]);
    expect(report.checks.inventory).toBe('pass');
    const tables = Object.fromEntries(report.inventory!.database!.tables.map((t) => [t.name, t]));
    expect(tables.Report!.rows).toBe(5);
    expect(tables.Report!.columns.map((c) => c.name)).toContain('sealedNarrative');
    expect(tables.Member!.rows).toBe(1);
    expect(Object.keys(tables)).toEqual(expect.arrayContaining(['Member', 'Invite', 'Report', 'Nonce', 'Release']));
    expect(renderText(report, 'es')).toContain('Report (5 filas)');
  });

  it('catches a row with an IP address, and never prints it', async () => {
    const evil = await createTestDatabase(provider);
    try {
      const bad = structuredClone(rows);
      bad.find((r) => r.table === 'Report')!.values.dedupeTag = `from ${IP}`;
      await fill(evil, bad);
      const report = await audit({ database: evil.url });
      expect(failureCodes(report)).toEqual(['inventory-ip-address']);
      expect(report.findings[0]!.params).toMatchObject({ table: 'Report', column: 'dedupeTag', rows: 1, hint: 'REDACTED' });
      expect(JSON.stringify(report)).not.toContain(IP);
      expect(renderText(report, 'en')).not.toContain(IP);
    } finally {
      await evil.drop();
    }
  });
});

describe('inventory of SQLite extras and logs', () => {
  it('catches every kind in a SQLite table, and a suspicious column name', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'x.db');
    const conn = new Database(file);
    conn.exec('CREATE TABLE visits (id INTEGER PRIMARY KEY, userAgent TEXT, note TEXT)');
    const ins = conn.prepare('INSERT INTO visits (userAgent, note) VALUES (?, ?)');
    ins.run('Mozilla/5.0 (Windows NT 10.0; Win64; x64)', 'ok');
    ins.run(null, 'llamar al +51 987 654 321');
    ins.run(null, 'ana@example.org');
    ins.run(null, 'La vieron por última vez subiendo a un taxi en la avenida');
    conn.close();
    const report = await audit({ database: `file:${file}` });
    expect(failureCodes(report)).toEqual(['inventory-email', 'inventory-narrative', 'inventory-phone', 'inventory-user-agent']);
    expect(report.findings.find((f) => f.code === 'inventory-column-name')!.params).toMatchObject({ table: 'visits', column: 'userAgent' });
    const text = JSON.stringify(report);
    for (const secret of ['987 654 321', 'ana@example.org', 'taxi', 'Win64']) expect(text).not.toContain(secret);
  });

  it('reads packed UUIDv4s in a blob as ids, whatever their bytes spell; any other blob as text', async () => {
    // a valid UUIDv4 whose bytes begin with the printable run "a@b.cd@" (byte 6 is '@' = version 4)
    const spelled = Buffer.from([...Buffer.from('a@b.cd@'), 0x00, 0x80, ...randomBytes(7)]);
    const dir = tempDir();
    const file = path.join(dir, 'ids.db');
    const conn = new Database(file);
    conn.exec('CREATE TABLE versions (n INTEGER PRIMARY KEY, reports BLOB)');
    conn.prepare('INSERT INTO versions (reports) VALUES (?)').run(Buffer.concat([Buffer.from(randomUUID().replace(/-/g, ''), 'hex'), spelled]));
    conn.close();
    expect(failureCodes(await audit({ database: `file:${file}` }))).toEqual([]);
    // one byte short of whole ids: read as text, and the e-mail-like run is found
    const odd = new Database(file);
    odd.prepare('INSERT INTO versions (reports) VALUES (?)').run(spelled.subarray(0, 15));
    odd.close();
    expect(failureCodes(await audit({ database: `file:${file}` }))).toEqual(['inventory-email']);
  });

  it('catches a log file with an IP address, and passes a clean access log', async () => {
    const dir = tempDir();
    const clean = path.join(dir, 'clean.log');
    const lines = [
      { level: 30, time: '2026-11-28T12:00:00.000Z', method: 'POST', route: '/api/v1/reports', status: 201, ms: 3.2, msg: 'request' },
      { level: 30, time: '2026-11-28T12:00:01.000Z', url: 'http://127.0.0.1:8080', msg: 'contamos listening' },
      {
        level: 40,
        time: '2026-11-28T12:00:00.000Z',
        keyDir: '/srv/contamos',
        msg: 'no keys were configured: created a DEMO key set (server, steward, publisher) in this folder',
      },
    ];
    writeFileSync(clean, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const ok = await audit({ logs: [clean] });
    expect(failureCodes(ok)).toEqual([]);
    expect(ok.findings.map((f) => f.code)).toEqual(['inventory-log-message']); // a warning, not a failure
    expect(ok.exitCode).toBe(0);

    const bad = path.join(dir, 'bad.log');
    writeFileSync(bad, readFileSync(clean, 'utf8') + JSON.stringify({ level: 30, msg: 'request', remote: IP }) + '\n' + `GET / 200 - ${IP} - curl/8.5.0\n`);
    const report = await audit({ logs: [bad] });
    expect(failureCodes(report)).toEqual(['inventory-ip-address', 'inventory-user-agent']);
    expect(report.findings.find((f) => f.code === 'inventory-ip-address')!.params).toMatchObject({ file: bad, lines: 2, first: ['4', '5'] });
    expect(JSON.stringify(report)).not.toContain(IP);
  });
});
