// The steward's CLI commands against a real in-process server (startServer, SQLite): `quarantine`
// (and --undo), `conflicts` (readable and --json) and `conflicts resolve`; the bilingual refusals
// (wrong usage: exit 2, nothing sent; the server's refusals: exit 1 with the stable code); and
// that the server made its dedupe ranking secret when it started.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyFile, sealNarrative, signRequest } from '../../crypto/index.js';
import { newId } from '../helpers/app.js';
import { type CliServer, cli, startCliServer } from './helpers.js';

describe('contamos CLI: quarantine, conflicts, conflicts resolve', () => {
  let s: CliServer;
  let work: string;
  const members: Array<{ file: string; keyId: string; secretKey: string }> = [];

  const run = (argv: string[]) => cli(argv, { server: s.url });
  const db = () => s.running.db.prisma;

  async function submit(m: (typeof members)[number], over: Record<string, unknown>): Promise<string> {
    const id = newId();
    const wk = JSON.parse(readFileSync(path.join(s.home, 'server-keys.json'), 'utf8'));
    const body = JSON.stringify({
      year: 2023,
      region: 'PE-LMA',
      incidentType: 'homicide',
      victimGender: 'trans-woman',
      victimNationality: 'VE',
      victimAgeBand: '25-34',
      perpetratorType: 'criminal-organisation',
      sealedNarrative: sealNarrative('Testimonio de prueba.', wk.steward.sealPublicKey),
      ...over,
    });
    const url = `/api/v1/reports/${id}`;
    const headers = await signRequest({ method: 'PUT', url, body }, { keyId: m.keyId, secretKey: m.secretKey });
    const res = await fetch(s.url + url, { method: 'PUT', headers: { ...headers, 'content-type': 'application/json' }, body });
    expect(res.status).toBe(201);
    return id;
  }

  beforeAll(async () => {
    s = await startCliServer();
    work = path.join(s.dir, 'orgs');
    mkdirSync(work);
    for (const name of ['a', 'b']) {
      const file = path.join(work, `${name}.key.json`);
      expect((await run(['keys', '--role', 'member', '--out', file])).code).toBe(0);
      const token = (await run(['invite', '--key', s.stewardKeyFile])).stdout.trim();
      expect((await run(['enrol', '--invite', token, '--key', file])).code).toBe(0);
      const key = parseKeyFile(readFileSync(file, 'utf8'));
      members.push({ file, keyId: key.keyId!, secretKey: key.signing!.secretKey! });
    }
  });
  afterAll(async () => s?.close());

  it('the server made its dedupe ranking secret when it started', async () => {
    const rows = await db().serverSecret.findMany();
    expect(rows.map((r) => r.name)).toEqual(['dedupe-rank']);
    expect(rows[0]!.value).toMatch(/^[0-9a-f]{64}$/);
  });

  it('quarantine KEYID, again (idempotent), then --undo', async () => {
    const { keyId } = members[1]!;
    const on = await run(['quarantine', keyId, '--key', s.stewardKeyFile]);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toContain(`En cuarentena / Quarantined: ${keyId}`);
    expect(on.stdout).toMatch(/dejan de contarse .*\n.*stop counting from the next release/);
    expect((await db().member.findUnique({ where: { keyId } }))!.quarantined).toBe(true);
    expect((await run(['quarantine', '--key', s.stewardKeyFile, keyId])).code).toBe(0);
    expect((await db().member.findUnique({ where: { keyId } }))!.quarantined).toBe(true);

    const off = await run(['quarantine', keyId, '--undo', '--key', s.stewardKeyFile]);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toContain(`Cuarentena levantada / Quarantine lifted: ${keyId}`);
    expect((await db().member.findUnique({ where: { keyId } }))!.quarantined).toBe(false);
  });

  it('same-organisation KEYID --as OTHER, and invite --same-organisation-as: keys counted as one organisation', async () => {
    const [a, b] = members;
    const orgOf = async (keyId: string) => (await db().member.findUnique({ where: { keyId } }))!.organisation;
    const nonces = await db().nonce.count();
    for (const [argv, pattern] of [
      [['same-organisation', a!.keyId, '--key', s.stewardKeyFile], /falta --as OTRA \/ --as OTHER is missing/],
      [['same-organisation', a!.keyId, '--as', 'nobody', '--key', s.stewardKeyFile], /no es un keyId .* \/ .* is not a member keyId/],
      [['invite', '--same-organisation-as', 'nobody', '--key', s.stewardKeyFile], /no es un keyId .* \/ .* is not a member keyId/],
    ] as const) {
      const r = await run([...argv]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(pattern);
    }
    expect(await db().nonce.count()).toBe(nonces);
    const unknown = await run(['same-organisation', a!.keyId, '--as', 'm-AAAAAAAAAAAAAAAA', '--key', s.stewardKeyFile]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/member_not_found/);
    expect(await orgOf(a!.keyId)).toBeNull();

    // a third key enrolled with an invite made for a's organisation
    const file = path.join(work, 'a2.key.json');
    expect((await run(['keys', '--role', 'member', '--out', file])).code).toBe(0);
    const token = (await run(['invite', '--same-organisation-as', a!.keyId, '--key', s.stewardKeyFile])).stdout.trim();
    expect((await run(['enrol', '--invite', token, '--key', file])).code).toBe(0);
    const a2 = parseKeyFile(readFileSync(file, 'utf8')).keyId!;
    expect(await orgOf(a2)).toBe(a!.keyId);

    const linked = await run(['same-organisation', b!.keyId, '--as', a2, '--key', s.stewardKeyFile]);
    expect(linked.code, linked.stderr).toBe(0);
    expect(linked.stdout).toContain(`Misma organización / Same organisation: ${b!.keyId} = ${a2}`);
    expect(await orgOf(b!.keyId)).toBe(a!.keyId);
    await db().member.update({ where: { keyId: b!.keyId }, data: { organisation: null } }); // the later tests want b on its own
  });

  it('quarantine: wrong usage is exit 2 and sends nothing; the server’s refusals are exit 1 with their code', async () => {
    const nonces = await db().nonce.count();
    for (const [argv, pattern] of [
      [['quarantine', '--key', s.stewardKeyFile], /Falta el argumento <KEYID> \/ Missing argument <KEYID>/],
      [['quarantine', members[0]!.keyId, 'extra', '--key', s.stewardKeyFile], /Argumento inesperado \/ Unexpected argument/],
      [['quarantine', 'not-a-key', '--key', s.stewardKeyFile], /no es un keyId .* \/ .* is not a member keyId/],
      [['quarantine', members[0]!.keyId, '--undo=yes', '--key', s.stewardKeyFile], /error:/],
    ] as const) {
      const r = await run([...argv]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(pattern);
    }
    expect(await db().nonce.count()).toBe(nonces);

    const unknown = await run(['quarantine', 'm-AAAAAAAAAAAAAAAA', '--key', s.stewardKeyFile]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No hay ninguna organización con ese keyId \[member_not_found\] \/ No member with this key id/);

    const byMember = await run(['quarantine', members[1]!.keyId, '--key', members[0]!.file]);
    expect(byMember.code).toBe(1);
    expect((await db().member.findUnique({ where: { keyId: members[1]!.keyId } }))!.quarantined).toBe(false);

    const help = await run(['quarantine', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--undo/);
  });

  it('conflicts: none, then one printed readably (es/en) without any member, then resolved', async () => {
    const none = await run(['conflicts', '--key', s.stewardKeyFile]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain('No hay conflictos de deduplicación / No dedupe conflicts.');

    const tag = randomBytes(32).toString('hex');
    const ra = await submit(members[0]!, { dedupeTag: tag, perpetratorType: 'police' });
    const rb = await submit(members[1]!, { dedupeTag: tag, year: 2019, perpetratorType: 'unknown' });
    const agree = randomBytes(32).toString('hex');
    await submit(members[0]!, { dedupeTag: agree });
    await submit(members[1]!, { dedupeTag: agree });

    const list = await run(['conflicts', '--key', s.stewardKeyFile]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('Conflictos de deduplicación / Dedupe conflicts: 1');
    expect(list.stdout).toContain(`1. etiqueta / tag ${tag}`);
    expect(list.stdout).toContain('difieren / differ: año / year, autor / perpetrator');
    expect(list.stdout).toMatch(/en común \/ shared: .*región \/ region: PE-LMA/);
    expect(list.stdout).toContain('sin resolver / unresolved');
    expect(list.stdout).toContain(`- ${ra}  año / year: 2023 · autor / perpetrator: police`);
    expect(list.stdout).toContain(`- ${rb}  año / year: 2019 · autor / perpetrator: unknown`);
    expect(list.stdout).not.toContain(agree);
    for (const m of members) expect(list.stdout + list.stderr).not.toContain(m.keyId);

    const json = await run(['conflicts', '--json', '--key', s.stewardKeyFile]);
    expect(json.code).toBe(0);
    const items = JSON.parse(json.stdout);
    expect(items).toHaveLength(1);
    expect(items[0].tag).toBe(tag);
    expect(items[0].reports.map((r: { id: string }) => r.id).sort()).toEqual([ra, rb].sort());

    const resolved = await run(['conflicts', 'resolve', tag, rb, '--key', s.stewardKeyFile]);
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(resolved.stdout).toContain(`Resuelto / Resolved: ${tag}`);
    expect(resolved.stdout).toContain(rb);
    expect(await db().dedupeChoice.findMany()).toEqual([{ tag, reportId: rb }]);

    const after = await run(['conflicts', '--key', s.stewardKeyFile]);
    expect(after.stdout).toContain(`resuelto / resolved: cuentan los valores de / the values that count are those of ${rb}`);
    expect(after.stdout).toContain(`→ ${rb}`);
    expect(after.stdout).toContain(`- ${ra}`);
  });

  it('conflicts resolve: wrong usage is exit 2 and sends nothing; a report outside the tag is refused (exit 1), nothing recorded', async () => {
    const before = await db().dedupeChoice.findMany();
    const nonces = await db().nonce.count();
    const tag = randomBytes(32).toString('hex');
    for (const [argv, pattern] of [
      [['conflicts', 'resolve', '--key', s.stewardKeyFile], /Falta el argumento <TAG> <REPORTID>/],
      [['conflicts', 'resolve', tag, '--key', s.stewardKeyFile], /Falta el argumento <REPORTID> \/ Missing argument <REPORTID>/],
      [['conflicts', 'resolve', 'xyz', newId(), '--key', s.stewardKeyFile], /no es una etiqueta .* \/ .* is not a tag/],
      [['conflicts', 'resolve', tag, 'not-a-uuid', '--key', s.stewardKeyFile], /no es un identificador UUIDv4/],
      [['conflicts', 'extra', '--key', s.stewardKeyFile], /Argumento inesperado/],
    ] as const) {
      const r = await run([...argv]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(pattern);
    }
    expect(await db().nonce.count()).toBe(nonces);

    const elsewhere = await submit(members[0]!, { dedupeTag: randomBytes(32).toString('hex') });
    const refused = await run(['conflicts', 'resolve', tag, elsewhere, '--key', s.stewardKeyFile]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/\[dedupe_choice_invalid\] \/ That report is not an active report under this dedupe tag/);
    expect(await db().dedupeChoice.findMany()).toEqual(before);

    const byMember = await run(['conflicts', '--key', members[0]!.file]);
    expect(byMember.code).toBe(1);
  });
});
