// Bulk import through the CLI against a real in-process server: 30 rows sent with verified
// receipts; importing again adds nothing; after an interruption (progress file cut short, torn
// last line) the rows already on the server are recognised through 409 + GET and nothing is
// duplicated; a CSV with bad codes is refused before anything is sent, naming the lines.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyFile, verifyReceipt } from '../../crypto/index.js';
import { deterministicId } from '../../scripts/cli/csv-rows.js';
import { ProgressLine } from '../../scripts/cli/progress.js';
import { type CliServer, cli, startCliServer } from './helpers.js';

const HEADER = [
  'year',
  'quarter',
  'region',
  'incidentType',
  'victimGender',
  'victimNationality',
  'victimAgeBand',
  'perpetratorType',
  'outcome',
  'narrative',
  'dedupeDetails',
];
const REGIONS = ['PE-LMA', 'PE-CAL', 'Madre de Dios', 'PE-ARE', 'pe-cus', 'PE-PUN', 'PE-LOR', 'PE-CAJ', 'unknown'];
const TYPES = ['homicide', 'extortion', 'threat', 'physical-assault', 'state-abuse', 'disappearance', 'trafficking'];
const GENDERS = ['trans-woman', 'cis-woman', 'Mujer trans', 'unknown'];
const NATIONALITIES = ['VE', 'PE', 'CO', 'EC'];
const AGES = ['18-24', '25-34', '35-44', 'unknown'];
const PERPS = ['criminal-organisation', 'client', 'police', 'municipal-security'];

function row(i: number): string[] {
  const type = TYPES[i % TYPES.length]!;
  const narrative =
    i % 5 === 0
      ? `Caso ${i}: cobro de cupos, "semanal" de 200 soles;\nluego amenazas, golpes.\nFuente: compañeras del Cercado.`
      : `Caso ${i}: testimonio de la compañera, año ${2020 + (i % 5)}, lugar reservado.`;
  return [
    String(2020 + (i % 5)),
    i % 3 === 0 ? '' : String((i % 4) + 1),
    REGIONS[i % REGIONS.length]!,
    type,
    GENDERS[i % GENDERS.length]!,
    NATIONALITIES[i % NATIONALITIES.length]!,
    AGES[i % AGES.length]!,
    PERPS[i % PERPS.length]!,
    type === 'disappearance' ? 'still-missing' : '',
    narrative,
    i % 4 === 0 ? `Persona ${i}, ${2020 + (i % 5)}-0${(i % 9) + 1}-1${i % 10}` : '',
  ];
}

const narrativeOf = (i: number) => row(i)[9]!;

describe('contamos import', () => {
  let s: CliServer;
  let work: string;
  let key: string;
  let keyId: string;
  let csv: string;
  let secret: string;
  const progressFile = () => `${csv}.progress.jsonl`;
  const receiptsFile = () => path.join(work, 'receipts.jsonl');
  const run = (argv: string[], opts: { tty?: boolean } = {}) => cli(argv, { server: s.url, ...opts });
  const ownCount = () => s.running.db.prisma.report.count({ where: { memberKeyId: keyId } });
  const importArgs = () => ['import', '--key', key, '--csv', csv, '--dedupe-secret', secret];

  beforeAll(async () => {
    s = await startCliServer();
    work = path.join(s.dir, 'org');
    mkdirSync(work);
    key = path.join(work, 'org.key.json');
    secret = path.join(work, 'dedupe.json');
    expect((await run(['keys', '--role', 'member', '--out', key])).code).toBe(0);
    expect((await run(['dedupe-secret', '--out', secret])).code).toBe(0);
    const token = (await run(['invite', '--key', s.stewardKeyFile])).stdout.trim();
    expect((await run(['enrol', '--invite', token, '--key', key])).code).toBe(0);
    keyId = parseKeyFile(readFileSync(key, 'utf8')).keyId!;
    csv = path.join(work, 'casos.csv');
    writeFileSync(csv, '\ufeff' + stringify([HEADER, ...Array.from({ length: 30 }, (_, i) => row(i))]));
  });
  afterAll(async () => s?.close());

  it('imports 30 rows, each with a verified receipt and a progress record', async () => {
    const r = await run(importArgs());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/enviadas \/ sent: 30/);
    expect(r.stdout).toMatch(/ya estaban \/ already done: 0/);
    expect(r.stdout).toMatch(/fallidas \/ failed: 0/);
    expect(await ownCount()).toBe(30);

    const wk = await (await fetch(`${s.url}/.well-known/contamos.json`)).json();
    const receipts = readFileSync(receiptsFile(), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(receipts).toHaveLength(30);
    expect(receipts.every((x) => verifyReceipt(x, wk.receipt.publicKey))).toBe(true);

    const progress = readFileSync(progressFile(), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(progress).toHaveLength(30);
    expect(new Set(progress.map((p) => p.id)).size).toBe(30);
    expect(progress.every((p) => p.state === 'sent' && p.keyId === keyId && p.receipt.reportHash === p.reportHash)).toBe(true);
    expect(progress.map((p) => p.row).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));

    // Ids are UUIDv4-shaped and deterministic; codes given as labels or in lower case were canonicalised.
    const rows = await s.running.db.prisma.report.findMany({ where: { memberKeyId: keyId } });
    expect(rows.every((x) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(x.id))).toBe(true);
    expect(new Set(rows.map((x) => x.region))).toContain('PE-MDD');
    expect(new Set(rows.map((x) => x.region))).toContain('PE-CUS');
    expect(rows.filter((x) => x.dedupeTag !== null)).toHaveLength(8);
    expect(rows.filter((x) => x.incidentType === 'disappearance').every((x) => x.outcome === 'still-missing')).toBe(true);
  });

  it('importing the same CSV again adds nothing', async () => {
    const r = await run(importArgs());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/enviadas \/ sent: 0/);
    expect(r.stdout).toMatch(/ya estaban \/ already done: 30/);
    expect(await ownCount()).toBe(30);
    expect(readFileSync(receiptsFile(), 'utf8').trim().split('\n')).toHaveLength(30);
    const st = await run(['status', '--key', key, '--json']);
    expect(JSON.parse(st.stdout)).toHaveLength(30);
  });

  it('resumes after an interruption: rows the server holds are recognised (409 + GET), nothing duplicated', async () => {
    const lines = readFileSync(progressFile(), 'utf8').trim().split('\n');
    // Lose the last 8 records and leave a torn half-line, as a crash mid-write would.
    writeFileSync(progressFile(), lines.slice(0, 22).join('\n') + '\n' + lines[22]!.slice(0, 25));
    const lost = lines.slice(22).map((l) => JSON.parse(l).id as string);

    const r = await run([...importArgs(), '--concurrency', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/enviadas \/ sent: 0/);
    expect(r.stdout).toMatch(/ya estaban \/ already done: 30/);
    expect(r.stderr.match(/ya enviado \/ already sent/g)).toHaveLength(8);
    expect(await ownCount()).toBe(30);

    const entries = readFileSync(progressFile(), 'utf8')
      .split('\n')
      .flatMap((l) => {
        try {
          return [JSON.parse(l)];
        } catch {
          return [];
        }
      });
    const again = entries.filter((e) => e.state === 'already');
    expect(again.map((e) => e.id).sort()).toEqual([...lost].sort());
    // The receipts kept from the first run are attached to the recovered rows.
    expect(again.every((e) => e.receipt?.reportHash === e.reportHash)).toBe(true);

    const third = await run(importArgs());
    expect(third.stdout).toMatch(/enviadas \/ sent: 0/);
    expect(third.stderr).not.toMatch(/ya enviado/);
    expect(await ownCount()).toBe(30);
  });

  it('a row never acknowledged locally is sent on resume, the others skipped', async () => {
    const more = path.join(work, 'mas.csv');
    writeFileSync(more, stringify([HEADER, row(100), row(101), row(102)]));
    const first = await run(['import', '--key', key, '--csv', more, '--dedupe-secret', secret]);
    expect(first.code, first.stderr).toBe(0);
    const lines = readFileSync(`${more}.progress.jsonl`, 'utf8').trim().split('\n');
    writeFileSync(`${more}.progress.jsonl`, lines.slice(0, 2).join('\n') + '\n');
    // Simulate the server never having received the third row either.
    const lostId = JSON.parse(lines[2]!).id as string;
    await s.running.db.prisma.report.delete({ where: { id: lostId } });
    const r = await run(['import', '--key', key, '--csv', more, '--dedupe-secret', secret]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/enviadas \/ sent: 1/);
    expect(r.stdout).toMatch(/ya estaban \/ already done: 2/);
    expect(await ownCount()).toBe(33);
  });

  it('refuses a CSV with bad taxonomy codes before sending anything, naming every bad line', async () => {
    const bad = path.join(work, 'malo.csv');
    const rows = [row(1), row(2), row(5), row(3), row(4)];
    rows[1]![2] = 'PE-XXX'; // data row 2 → line 3
    rows[3]![0] = 'dos mil'; // data row 4 → line 4 + 2 (row(5) has a 3-line narrative) = line 7
    rows[4]![3] = 'robbery'; // line 8
    writeFileSync(bad, stringify([HEADER, ...rows]));
    const before = await s.running.db.prisma.report.count();
    const r = await run(['import', '--key', key, '--csv', bad, '--dedupe-secret', secret]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/3 fila\(s\) del CSV tienen errores; no se envió nada \/ 3 CSV row\(s\) have errors; nothing was sent/);
    expect(r.stderr).toMatch(/línea \/ line 3: region .*"PE-XXX"/);
    expect(r.stderr).toMatch(/línea \/ line 7: year .*"dos mil" no es un año/);
    expect(r.stderr).toMatch(/línea \/ line 8: incidentType .*"robbery"/);
    expect(r.stderr).toMatch(/valid codes for region: PE-LMA/);
    expect(await s.running.db.prisma.report.count()).toBe(before);
    expect(existsSync(`${bad}.progress.jsonl`)).toBe(false);
  });

  it('refuses a bad header and dedupe details without a secret; --check sends nothing', async () => {
    const hdr = path.join(work, 'hdr.csv');
    writeFileSync(hdr, stringify([[...HEADER.slice(0, -2), 'victimName'], row(1).slice(0, -1)]));
    const h = await run(['import', '--key', key, '--csv', hdr]);
    expect(h.code).toBe(1);
    expect(h.stderr).toMatch(/columna desconocida \/ unknown column: "victimName"/);
    expect(h.stderr).toMatch(/falta la columna \/ missing column: "narrative"/);

    const noSecret = await run(['import', '--key', key, '--csv', csv]);
    expect(noSecret.code).toBe(1);
    expect(noSecret.stderr).toMatch(/falta --dedupe-secret/);

    const fresh = path.join(work, 'nuevo.csv');
    writeFileSync(fresh, stringify([HEADER, row(201)]));
    const before = await s.running.db.prisma.report.count();
    const check = await run(['import', '--key', key, '--csv', fresh, '--check']);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/1 filas listas/);
    expect(await s.running.db.prisma.report.count()).toBe(before);
  });

  it('reads ";"-delimited spreadsheets exports with an id column; a terminal gets a \\r progress line', async () => {
    const semi = path.join(work, 'excel.csv');
    const ids = ['0b6f1c52-3a0e-4c5d-8e7f-9a1b2c3d4e5f', '7d9e8f70-1a2b-4c3d-a4e5-f60718293a4b'];
    const header = [...HEADER.slice(0, -1), 'ID'];
    writeFileSync(
      semi,
      '\ufeff' + stringify([header, [...row(300).slice(0, -1), ids[0]!], [...row(301).slice(0, -1), ids[1]!.toUpperCase()]], { delimiter: ';' }),
    );
    const r = await run(['import', '--key', key, '--csv', semi, '--json'], { tty: true });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rows: 2, sent: 2, alreadyDone: 0, failed: 0 });
    expect(r.stderr).toContain('\r');
    for (const id of ids) expect(await s.running.db.prisma.report.findUnique({ where: { id } })).toBeTruthy();
  });

  it('open (steward) returns exactly the narratives imported', async () => {
    const out = path.join(work, 'abiertos.csv');
    const r = await run(['open', '--key', s.stewardKeyFile, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    for (let i = 0; i < 30; i++) expect(text).toContain(stringify([[narrativeOf(i)]], { record_delimiter: 'windows' }).trim());
  });

  it('stops at a refusal that would hit every row (revoked key) and says how to resume', async () => {
    const five = path.join(work, 'cinco.csv');
    writeFileSync(five, stringify([HEADER, ...[400, 401, 402, 403, 405].map((i) => row(i).map((c, j) => (j === 10 ? '' : c)))]));
    const other = path.join(work, 'other.key.json');
    await run(['keys', '--role', 'member', '--out', other]);
    const token = (await run(['invite', '--key', s.stewardKeyFile])).stdout.trim();
    await run(['enrol', '--invite', token, '--key', other]);
    const otherId = parseKeyFile(readFileSync(other, 'utf8')).keyId!;
    expect((await run(['revoke', '--key', s.stewardKeyFile, '--member', otherId])).code).toBe(0);
    const r = await run(['import', '--key', other, '--csv', five, '--concurrency', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/fallidas \/ failed: 1/);
    expect(r.stdout).toMatch(/sin intentar \/ not attempted: 4/);
    expect(r.stderr).toMatch(/key_revoked/);
    expect(r.stderr).toMatch(/Importación detenida.*\n.*Import stopped/);
    expect(await s.running.db.prisma.report.count({ where: { memberKeyId: otherId } })).toBe(0);
  });

  it('deterministic ids: stable, UUIDv4-shaped, bound to the key', () => {
    const a = deterministicId('m-AAAAAAAAAAAAAAAA', '{"year":2024}');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicId('m-AAAAAAAAAAAAAAAA', '{"year":2024}')).toBe(a);
    expect(deterministicId('m-BBBBBBBBBBBBBBBB', '{"year":2024}')).not.toBe(a);
  });

  it('progress line: at most one line per 5% when stderr is not a terminal', () => {
    let out = '';
    const bar = new ProgressLine({ write: (s: string) => (out += s), isTTY: false }, 200, 'x');
    for (let i = 0; i < 200; i++) bar.tick();
    bar.finish();
    const lines = out.trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(21);
    expect(lines.at(-1)).toBe('x: 200/200 (100%)');
    expect(out).not.toContain('\r');
  });
});
