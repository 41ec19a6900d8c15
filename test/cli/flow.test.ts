// The CLI end to end against a real in-process server: keys → invite → enrol → submit (receipt
// verified and kept) → status → withdraw → open (narratives come back) → revoke; plus the plain,
// bilingual refusals: bad codes (nothing sent), bad server address, wrong usage.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyFile, reportHash, verifyReceipt } from '../../crypto/index.js';
import { type CliServer, cli, freePort, startCliServer } from './helpers.js';

const NARRATIVE = 'Testimonio: “Ana” (nombre cambiado), 27 años, fue vista por última vez en el Cercado; fuente: compañeras, 3 de marzo.';

describe('contamos CLI: keys, invite, enrol, submit, status, withdraw, open, revoke', () => {
  let s: CliServer;
  let work: string;
  let memberKey: string;
  const submitted = new Map<string, string>(); // id → narrative

  const run = (argv: string[]) => cli(argv, { server: s.url });
  const count = () => s.running.db.prisma.report.count();

  beforeAll(async () => {
    s = await startCliServer();
    work = path.join(s.dir, 'org');
    mkdirSync(work);
    memberKey = path.join(work, 'org.key.json');
  });
  afterAll(async () => s?.close());

  it('keys: makes 0600 key files, refuses to overwrite, prints only public keys', async () => {
    const steward = path.join(work, 'steward-local.key.json');
    const r = await run(['keys', '--role', 'steward', '--out', steward]);
    expect(r.code).toBe(0);
    expect(statSync(steward).mode & 0o777).toBe(0o600);
    const file = parseKeyFile(readFileSync(steward, 'utf8'));
    expect(file.role).toBe('steward');
    expect(file.seal?.secretKey).toBeTruthy();
    expect(r.stdout).toContain(file.signing!.publicKey);
    expect(r.stdout).toContain(file.seal!.publicKey);
    expect(r.stdout).toContain('"sealPublicKey"');
    expect(r.stdout + r.stderr).not.toContain(file.signing!.secretKey!);
    expect(r.stdout + r.stderr).not.toContain(file.seal!.secretKey!);

    const again = await run(['keys', '--role', 'steward', '--out', steward]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/ya existe .* \/ The file already exists/);
    expect(parseKeyFile(readFileSync(steward, 'utf8')).signing!.publicKey).toBe(file.signing!.publicKey);

    const pub = path.join(work, 'publisher.key.json');
    const p = await run(['keys', '--role', 'publisher', '--out', pub]);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain('"publishers"');

    const m = await run(['keys', '--role', 'member', '--out', memberKey]);
    expect(m.code).toBe(0);
    const member = parseKeyFile(readFileSync(memberKey, 'utf8'));
    expect(member.keyId).toBeUndefined();
    expect(member.seal).toBeUndefined();
    expect(m.stdout + m.stderr).not.toContain(member.signing!.secretKey!);

    const bad = await run(['keys', '--role', 'admin', '--out', path.join(work, 'x.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--role');
  });

  it('a member key that is not enrolled cannot submit yet', async () => {
    const r = await run([
      'submit',
      '--key',
      memberKey,
      '--year',
      '2024',
      '--region',
      'PE-LMA',
      '--type',
      'homicide',
      '--gender',
      'trans-woman',
      '--nationality',
      'VE',
      '--age',
      '25-34',
      '--perpetrator',
      'criminal-organisation',
      '--narrative',
      'x',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no está inscrita.* \/ The key .* is not enrolled/);
  });

  it('invite → enrol writes the keyId into the key file; the invite works once', async () => {
    const inv = await run(['invite', '--key', s.stewardKeyFile, '--ttl-hours', '2']);
    expect(inv.code).toBe(0);
    const token = inv.stdout.trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(inv.stderr).toMatch(/vence \/ one-time invite; expires/);

    const en = await run(['enrol', '--invite', token, '--key', memberKey]);
    expect(en.code, en.stderr).toBe(0);
    const file = parseKeyFile(readFileSync(memberKey, 'utf8'));
    expect(file.keyId).toMatch(/^m-[A-Za-z0-9_-]{16}$/);
    expect(en.stdout).toContain(file.keyId);
    expect(statSync(memberKey).mode & 0o777).toBe(0o600);
    const row = await s.running.db.prisma.member.findUnique({ where: { keyId: file.keyId! } });
    expect(row?.publicKey).toBe(file.signing!.publicKey);

    const twice = await run(['enrol', '--invite', token, '--key', memberKey]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/ya está inscrita/);

    const other = path.join(work, 'other.key.json');
    await run(['keys', '--role', 'member', '--out', other]);
    const reused = await run(['enrol', '--invite', token, '--key', other]);
    expect(reused.code).toBe(1);
    expect(reused.stderr).toMatch(/La invitación no existe, ya se usó o venció .*\/ The invite is unknown, used or expired/);

    const byMember = await run(['invite', '--key', memberKey]);
    expect(byMember.code).toBe(1);
    expect(byMember.stderr).toMatch(/necesita una clave de administradora/);
  });

  it('submit from flags: seals locally, verifies the receipt, appends it next to the key file', async () => {
    const secret = path.join(work, 'dedupe.secret.json');
    expect((await run(['dedupe-secret', '--out', secret])).code).toBe(0);
    const before = await count();
    const r = await run([
      'submit',
      '--key',
      memberKey,
      '--year',
      '2024',
      '--quarter',
      '2',
      '--region',
      'Lima Metropolitana',
      '--type',
      'homicide',
      '--gender',
      'trans-woman',
      '--nationality',
      've',
      '--age',
      '25-34',
      '--perpetrator',
      'criminal-organisation',
      '--narrative',
      NARRATIVE,
      '--dedupe-secret',
      secret,
      '--dedupe-details',
      'Ana Pérez, 2024-03-03, Cercado',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const receipt = JSON.parse(r.stdout);
    const wk = await (await fetch(`${s.url}/.well-known/contamos.json`)).json();
    expect(verifyReceipt(receipt, wk.receipt.publicKey)).toBe(true);
    expect(r.stderr).toMatch(/Reporte recibido \/ Report received/);
    submitted.set(receipt.reportId, NARRATIVE);

    const lines = readFileSync(path.join(work, 'receipts.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual(receipt);

    expect(await count()).toBe(before + 1);
    const row = await s.running.db.prisma.report.findUnique({ where: { id: receipt.reportId } });
    expect(row).toMatchObject({ region: 'PE-LMA', victimNationality: 'VE', quarter: 2, status: 'active' });
    expect(row?.dedupeTag).toMatch(/^[0-9a-f]{64}$/);
    // Sealed: neither the plaintext nor its base64 is in the stored value (a check for a short
    // word such as "Ana" in random base64 fails about once in 200 runs, so whole phrases are used).
    expect(Buffer.from(row!.sealedNarrative, 'base64').includes(Buffer.from('nombre cambiado'))).toBe(false);
    expect(row?.sealedNarrative).not.toContain('nombre cambiado');
    expect(row?.sealedNarrative).not.toContain(Buffer.from(NARRATIVE).toString('base64').slice(0, 20));
    // The receipt signs exactly what was stored.
    const { id: _id, memberKeyId: _m, status: _s, reportHash: stored, ...rest } = row as unknown as Record<string, unknown>;
    void _id;
    void _m;
    void _s;
    const body = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null));
    expect(reportHash(receipt.reportId, body)).toBe(stored);
    expect(stored).toBe(receipt.reportHash);
  });

  it('submit from a JSON file with a chosen id; a disappearance needs an outcome', async () => {
    const id = '3f0a9c1e-8b7d-4e2a-9c3b-1d2e3f4a5b6c';
    const doc = {
      year: 2023,
      region: 'PE-MDD',
      incidentType: 'disappearance',
      victimGender: 'cis-woman',
      victimNationality: 'PE',
      victimAgeBand: '18-24',
      perpetratorType: 'unknown',
      narrative: 'Desaparecida en Mazuko.\nNadie la volvió a ver.',
    };
    const noOutcome = path.join(work, 'r1.json');
    writeFileSync(noOutcome, JSON.stringify(doc));
    const before = await count();
    const refused = await run(['submit', '--key', memberKey, '--json', noOutcome, '--id', id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/outcome.*es obligatorio para una desaparición/);
    expect(refused.stderr).toMatch(/still-missing/);
    expect(await count()).toBe(before);

    const good = path.join(work, 'r2.json');
    writeFileSync(good, JSON.stringify({ ...doc, outcome: 'still-missing', id }));
    const ok = await run(['submit', '--key', memberKey, '--json', good]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).reportId).toBe(id);
    submitted.set(id, doc.narrative);
    expect(await count()).toBe(before + 1);

    // Same id, different (re-sealed) body: refused with a plain explanation.
    const again = await run(['submit', '--key', memberKey, '--json', good]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/Ya existe otro reporte con el id .* \/ Another report already exists/);
  });

  it('refuses unknown taxonomy codes before sending, listing the valid codes', async () => {
    const before = await count();
    const r = await run([
      'submit',
      '--key',
      memberKey,
      '--year',
      '2024',
      '--region',
      'PE-XXX',
      '--type',
      'robbery',
      '--gender',
      'trans-woman',
      '--nationality',
      'VE',
      '--age',
      '25-34',
      '--perpetrator',
      'client',
      '--narrative',
      'x',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no se envió nada \/ The report has errors; nothing was sent/);
    expect(r.stderr).toMatch(/region .*"PE-XXX" no es un código válido/);
    expect(r.stderr).toMatch(/incidentType .*"robbery"/);
    expect(r.stderr).toMatch(/valid codes for region: PE-LMA \(Lima Metropolitana/);
    expect(r.stderr).toMatch(/valid codes for incidentType: .*extortion/);
    expect(await count()).toBe(before);
  });

  it('status lists every own report (all pages) and matches them with the local receipts', async () => {
    const r = await run(['status', '--key', memberKey, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const items = JSON.parse(r.stdout) as Array<{ id: string; status: string; receipt: string }>;
    expect(items.map((i) => i.id).sort()).toEqual([...submitted.keys()].sort());
    expect(items.every((i) => i.status === 'active' && i.receipt === 'ok')).toBe(true);
    const text = await run(['status', '--key', memberKey]);
    expect(text.stdout).toMatch(/Total: 2 \(active: 2\)/);
  });

  it('withdraw, then status --id shows it withdrawn', async () => {
    const id = [...submitted.keys()][0]!;
    const w = await run(['withdraw', '--key', memberKey, '--id', id]);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout).toMatch(/Reporte retirado \/ Report withdrawn/);
    const st = await run(['status', '--key', memberKey, '--id', id]);
    expect(st.code).toBe(0);
    expect(st.stdout).toMatch(/estado \/ status: withdrawn/);
    expect(st.stdout).toMatch(/coincide \/ matches/);
    const missing = await run(['withdraw', '--key', memberKey, '--id', '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No existe ese reporte entre los suyos/);
  });

  it('open: writes a 0600 UTF-8 CSV (with BOM) whose narratives are the ones submitted, and warns', async () => {
    const out = path.join(work, 'narrativas.csv');
    const r = await run(['open', '--key', s.stewardKeyFile, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(out);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(bytes.toString('utf8'), { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(submitted.size);
    for (const row of rows) expect(row.narrative).toBe(submitted.get(row.id!));
    expect(rows.find((x) => x.status === 'withdrawn')).toBeTruthy();
    expect(rows.find((x) => x.incidentType === 'disappearance')?.outcome).toBe('still-missing');
    expect(r.stderr).toMatch(/texto claro/);
    expect(r.stderr).toMatch(/must stay|steward's own machine/);

    const again = await run(['open', '--key', s.stewardKeyFile, '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/--force/);
    const member = await run(['open', '--key', memberKey, '--out', path.join(work, 'x.csv')]);
    expect(member.code).toBe(1);
    expect(existsSync(path.join(work, 'x.csv'))).toBe(false);
  });

  it('revoke: the member can no longer sign', async () => {
    const keyId = parseKeyFile(readFileSync(memberKey, 'utf8')).keyId!;
    const r = await run(['revoke', '--key', s.stewardKeyFile, '--member', keyId]);
    expect(r.code, r.stderr).toBe(0);
    const st = await run(['status', '--key', memberKey]);
    expect(st.code).toBe(1);
    expect(st.stderr).toMatch(/revocada .*\[key_revoked\] \/ This key has been revoked/);
  });

  it('a bad server address gives a clear bilingual error and a non-zero exit', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const down = await cli(['status', '--key', memberKey, '--server', closed, '--retries', '0']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('No se pudo conectar al servidor / Could not reach the server');
    expect(down.stderr).toMatch(/conexión rechazada \/ connection refused/);
    expect(down.stderr).not.toMatch(/at .*\.ts:\d+/);

    const retried = await cli(['invite', '--key', s.stewardKeyFile, '--server', closed, '--retries', '1']);
    expect(retried.code).toBe(1);
    expect(retried.stderr).toContain('Could not reach the server');

    const nonsense = await cli(['status', '--key', memberKey, '--server', 'not a url']);
    expect(nonsense.code).toBe(2);
    expect(nonsense.stderr).toMatch(/no es válida: not a url \/ The server address is not valid/);

    const ftp = await cli(['status', '--key', memberKey, '--server', 'ftp://example.org']);
    expect(ftp.code).toBe(2);

    const envDefault = await cli(['invite', '--key', s.stewardKeyFile, '--retries', '0'], { env: { CONTAMOS_SERVER: closed } });
    expect(envDefault.code).toBe(1);
    expect(envDefault.stderr).toContain(closed);
  });

  it('wrong usage: unknown command or option, missing option → exit 2 with help pointers', async () => {
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Orden desconocida.* \/ Unknown command/);
    const opt = await run(['status', '--key', memberKey, '--colour']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/Opción desconocida \/ Unknown option/);
    const missing = await run(['withdraw', '--key', memberKey]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Falta la opción --id \/ Missing option --id/);
    const noKey = await run(['invite']);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/Falta --key/);
    for (const c of ['keys', 'invite', 'enrol', 'submit', 'import', 'withdraw', 'status', 'open', 'revoke', 'dedupe-secret']) {
      const h = await run([c, '--help']);
      expect([c, h.code]).toEqual([c, 0]);
      expect(h.stdout).toContain(`contamos ${c}`);
      expect(h.stdout).toContain('--server');
    }
    const globalsFirst = await cli(['--server', `http://127.0.0.1:${await freePort()}`, '--retries', '0', 'status', '--key', memberKey]);
    expect(globalsFirst.stderr).toContain('Could not reach the server');
  });
});
