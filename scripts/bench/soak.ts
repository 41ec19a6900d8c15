// `npm run bench:soak`: bounded load on loopback against the real server (SQLite, or PostgreSQL with
// BENCH_DB=postgres: a fresh database on the local cluster, bench-database.ts) with a mix of
// signed submissions (50%), signed status reads (30%) and public release reads (20%) for a set
// time, in rounds. Prints throughput and p99 per round and the server's RSS at the start and the
// end of every round: memory must level off, not grow with the number of requests served.
// Then the flood phase (issue 16): report intake alone (FLOOD_INTAKE_CONNECTIONS closed-loop
// connections of fresh signed submissions) for FLOOD_SECONDS, then the same intake while another
// process floods the server at FLOOD_RATE requests/s with forged signatures (under members' key
// ids and made-up ones), unsigned public pages, release downloads (JSON and CSV), junk enrolments
// and unsigned submissions; prints intake throughput and p99 of both runs and their ratio.
// Target: intake p99 under 50 ms and throughput at least half of the undisturbed run.
// Options (env): SOAK_SECONDS (default 60), SOAK_ROUND_SECONDS (10), SOAK_CONNECTIONS (32),
// FLOOD_SECONDS (10), FLOOD_RATE (2000), FLOOD_INTAKE_CONNECTIONS (4), FLOOD_KINDS (e.g. "0,1" for
// forged signatures only: 0 forged under members' key ids, 1 under made-up ones, 2 unsigned
// submissions, 3 the statistics page, 4 a release's JSON, 5 its CSV, 6 junk enrolments, 7 health);
// SOAK_SECONDS=0 runs the flood phase only.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { canonicalJson, generateSigningKeyPair, parseKeyFile, ready, sealNarrative, signDetached, signRequest } from '../../crypto/index.js';
import { spawnServer } from '../lib/spawn-server.js';
import { benchDatabase } from './bench-database.js';
import { closedLoop, rssMiB, type PreparedRequest } from './load.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const ROUND = Number(process.env.SOAK_ROUND_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 32);
const FLOOD_SECONDS = Number(process.env.FLOOD_SECONDS ?? 10);
const FLOOD_RATE = Number(process.env.FLOOD_RATE ?? 2000);
const FLOOD_INTAKE_CONNECTIONS = Number(process.env.FLOOD_INTAKE_CONNECTIONS ?? 4);
/** Which kinds of flood request, in turn (numbers of the list in floodPool); all eight by default. */
const KINDS = (process.env.FLOOD_KINDS ?? '0,1,2,3,4,5,6,7').split(',').map(Number);

await ready();
const dir = mkdtempSync(path.join(tmpdir(), 'contamos-soak-'));
const database = await benchDatabase(dir, 'soak.db');
const env = { DATABASE_URL: database.url, CONTAMOS_HOME: path.join(dir, 'keys'), RATE_LIMIT_PER_MINUTE: '100000000', CONTAMOS_MEMBER_DAILY_REPORTS: '0' };
type Key = { keyId: string; secretKey: string };

async function call(base: string, method: string, url: string, key: Key | null, body?: unknown) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string> = key ? { ...(await signRequest({ method, url, body: text }, key)) } : {};
  if (text) headers['content-type'] = 'application/json';
  const r = await fetch(base + url, { method, headers, body: text || undefined });
  // biome-ignore lint/suspicious/noExplicitAny: the benchmark reads the API's JSON answers loosely
  return r.json() as Promise<any>;
}

try {
  const server = await spawnServer(env, undefined, { keepLines: 20 });
  const sf = parseKeyFile(readFileSync(path.join(env.CONTAMOS_HOME, 'steward.key.json'), 'utf8'));
  const pf = parseKeyFile(readFileSync(path.join(env.CONTAMOS_HOME, 'publisher.key.json'), 'utf8'));
  const steward = { keyId: sf.keyId!, secretKey: sf.signing!.secretKey! };
  const publisher = { keyId: pf.keyId!, secretKey: pf.signing!.secretKey! };
  const members: Key[] = [];
  for (let i = 0; i < 4; i++) {
    const inv = await call(server.url, 'POST', '/api/v1/invites', steward, {});
    const kp = generateSigningKeyPair();
    members.push({
      keyId: (await call(server.url, 'POST', '/api/v1/enrol', null, { invite: inv.invite, publicKey: kp.publicKey })).keyId,
      secretKey: kp.secretKey,
    });
  }
  const body = () => ({
    year: 2023,
    region: 'PE-LMA',
    incidentType: 'extortion',
    victimGender: 'trans-woman',
    victimNationality: 'VE',
    victimAgeBand: '25-34',
    perpetratorType: 'criminal-organisation',
    sealedNarrative: sealNarrative('relato de prueba', sf.seal!.publicKey),
  });
  const known: Array<{ id: string; m: number }> = [];
  for (let i = 0; i < 50; i++) {
    const id = randomUUID();
    await call(server.url, 'PUT', `/api/v1/reports/${id}`, members[i % 4]!, body());
    known.push({ id, m: i % 4 });
  }
  const draft = await call(server.url, 'POST', '/api/v1/releases', publisher, { series: 'soak', filter: { year: 2023 }, tables: [['year', 'region']], k: 5 });
  await call(server.url, 'POST', `/api/v1/releases/drafts/${draft.draftId}/signature`, publisher, {
    signature: signDetached(canonicalJson(draft.manifest), publisher.secretKey),
  });

  const prepare = async (n: number): Promise<PreparedRequest[]> => {
    const out: PreparedRequest[] = [];
    for (let i = 0; i < n; i++) {
      const kind = i % 10;
      if (kind < 5) {
        const url = `/api/v1/reports/${randomUUID()}`;
        const text = JSON.stringify(body());
        out.push({
          method: 'PUT',
          path: url,
          body: text,
          headers: {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(text)),
            ...(await signRequest({ method: 'PUT', url, body: text }, members[i % 4]!)),
          },
        });
      } else if (kind < 8) {
        const k = known[i % known.length]!;
        const url = `/api/v1/reports/${k.id}`;
        out.push({ method: 'GET', path: url, headers: { ...(await signRequest({ method: 'GET', url, body: '' }, members[k.m]!)) } });
      } else {
        out.push({ method: 'GET', path: '/api/v1/releases/soak-1', headers: {} });
      }
    }
    return out;
  };

  console.log(`soak: ${SECONDS} s in rounds of ${ROUND} s, ${CONNECTIONS} connections, mix 50% submit / 30% status / 20% release read`);
  console.log('round   req/s     p50 ms   p99 ms   errors   non-2xx   RSS start → end (MiB)');
  const rounds = SECONDS > 0 ? Math.max(1, Math.round(SECONDS / ROUND)) : 0;
  const first = rssMiB(server.proc.pid!);
  let last = first;
  for (let r = 0; r < rounds; r++) {
    const pool = await prepare(ROUND * 1500); // signatures stay fresh: prepared right before each round
    let i = 0;
    const start = rssMiB(server.proc.pid!);
    const res = await closedLoop(server.url, () => pool[i++ % pool.length]!, CONNECTIONS, ROUND);
    last = rssMiB(server.proc.pid!);
    const bad = Object.entries(res.statuses)
      .filter(([s]) => Number(s) >= 300)
      .reduce((a, [, n]) => a + n, 0);
    console.log(
      `${String(r + 1).padStart(5)}  ${res.rps.toFixed(0).padStart(6)}   ${res.p50.toFixed(1).padStart(7)}  ${res.p99.toFixed(1).padStart(7)}   ${String(res.errors).padStart(6)}   ${String(bad).padStart(7)}   ${start.rss.toFixed(0)} → ${last.rss.toFixed(0)}`,
    );
  }
  console.log(`RSS at start ${first.rss.toFixed(0)} MiB, at end ${last.rss.toFixed(0)} MiB, peak ${last.peak.toFixed(0)} MiB`);
  console.log('(pool entries are reused within a round: a reused signed request is refused as a replay (401), which is part of the load)');

  // --- the flood phase: intake alone, then intake beside a flood, in this one run
  const intakePool = async (n: number): Promise<PreparedRequest[]> => {
    const out: PreparedRequest[] = [];
    for (let i = 0; i < n; i++) {
      const url = `/api/v1/reports/${randomUUID()}`;
      const text = JSON.stringify(body());
      out.push({
        method: 'PUT',
        path: url,
        body: text,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(text)),
          ...(await signRequest({ method: 'PUT', url, body: text }, members[i % 4]!)),
        },
      });
    }
    return out;
  };
  const intake = async (pool: PreparedRequest[]) => {
    let i = 0;
    // each submission is fresh (never a replay): the pool is larger than a run can use
    return closedLoop(server.url, () => pool[i++]!, FLOOD_INTAKE_CONNECTIONS, FLOOD_SECONDS);
  };
  const floodPool = async (n: number): Promise<PreparedRequest[]> => {
    const forger = generateSigningKeyPair();
    const out: PreparedRequest[] = [];
    for (let i = 0; i < n; i++) {
      const kind = KINDS[i % KINDS.length]!;
      const url = `/api/v1/reports/${randomUUID()}`;
      const text = JSON.stringify(body());
      const put = (h: Record<string, string>) => ({
        method: 'PUT',
        path: url,
        body: text,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...h },
      });
      if (kind === 0) out.push(put(await signRequest({ method: 'PUT', url, body: text }, { keyId: members[i % 4]!.keyId, secretKey: forger.secretKey })));
      else if (kind === 1)
        out.push(
          put(
            await signRequest({ method: 'PUT', url, body: text }, { keyId: `m-${randomUUID().replace(/-/g, '').slice(0, 16)}`, secretKey: forger.secretKey }),
          ),
        );
      else if (kind === 2) out.push(put({}));
      else if (kind === 3) out.push({ method: 'GET', path: '/estadisticas', headers: {} });
      else if (kind === 4) out.push({ method: 'GET', path: '/api/v1/releases/soak-1', headers: {} });
      else if (kind === 5) out.push({ method: 'GET', path: '/api/v1/releases/soak-1.csv', headers: {} });
      else if (kind === 6) {
        const t = JSON.stringify({ invite: randomUUID() + randomUUID(), publicKey: generateSigningKeyPair().publicKey });
        out.push({
          method: 'POST',
          path: '/api/v1/enrol',
          body: t,
          headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(t)) },
        });
      } else out.push({ method: 'GET', path: '/api/v1/health', headers: {} });
    }
    return out;
  };
  const perRun = 3000 * FLOOD_SECONDS;
  /** CPU seconds the server process has used so far (all its threads), from /proc. */
  const serverCpu = () => {
    const f = readFileSync(`/proc/${server.proc.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  };
  const calmPool = await intakePool(perRun);
  const cpu0 = serverCpu();
  const calm = await intake(calmPool);
  const calmCpu = serverCpu() - cpu0;
  const floodFile = path.join(dir, 'flood.json');
  writeFileSync(floodFile, JSON.stringify(await floodPool(4000)));
  const loaded = await intakePool(perRun);
  const flooder = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(path.dirname(new URL(import.meta.url).pathname), 'flood.ts'),
      server.url,
      floodFile,
      String(FLOOD_RATE),
      String(FLOOD_SECONDS),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let floodOut = '';
  flooder.stdout!.on('data', (d: Buffer) => {
    floodOut += d.toString();
  });
  const floodDone = new Promise<void>((r) => flooder.once('exit', () => r()));
  await new Promise((r) => setTimeout(r, 300)); // the flood is under way before intake starts
  const cpu1 = serverCpu();
  const busy = await intake(loaded);
  const busyCpu = serverCpu() - cpu1;
  await floodDone;
  const flood = JSON.parse(floodOut.trim().split('\n').pop()!) as {
    rps: number;
    statuses: Record<string, number>;
    p99: number;
    errors: number;
    cpuSeconds: number;
  };
  const created = (r: { statuses: Record<number, number>; seconds: number }) => (r.statuses[201] ?? 0) / r.seconds;
  console.log(
    `\nflood phase: intake (${FLOOD_INTAKE_CONNECTIONS} connections, fresh signed submissions) for ${FLOOD_SECONDS} s, alone and beside a flood offered at ${FLOOD_RATE}/s`,
  );
  console.log('run             created/s   p50 ms   p99 ms   non-201');
  for (const [name, r] of [
    ['intake alone', calm],
    ['intake + flood', busy],
  ] as const) {
    const other =
      Object.entries(r.statuses)
        .filter(([s]) => s !== '201')
        .reduce((a, [, n]) => a + n, 0) + r.errors;
    console.log(
      `${name.padEnd(14)}  ${created(r).toFixed(0).padStart(9)}   ${r.p50.toFixed(1).padStart(6)}  ${r.p99.toFixed(1).padStart(7)}   ${String(other).padStart(7)}`,
    );
  }
  console.log(
    `flood: ${flood.rps.toFixed(0)} answered/s, statuses ${JSON.stringify(flood.statuses)}, ${flood.errors} errors, flood p99 ${flood.p99.toFixed(1)} ms`,
  );
  console.log(
    `CPU: server ${(calmCpu / FLOOD_SECONDS).toFixed(2)} cores alone, ${(busyCpu / FLOOD_SECONDS).toFixed(2)} with the flood; the flood generator itself ${(flood.cpuSeconds / FLOOD_SECONDS).toFixed(2)} cores (same machine; load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)} on ${(await import('node:os')).cpus().length} cores)`,
  );
  const ratio = created(busy) / created(calm);
  console.log(
    `throughput with flood / without: ${ratio.toFixed(2)} (target ≥ 0.5); intake p99 with flood ${busy.p99.toFixed(1)} ms (target < 50 ms): ${ratio >= 0.5 && busy.p99 < 50 ? 'MET' : 'NOT MET'}`,
  );
  await server.stop();
} finally {
  rmSync(dir, { recursive: true, force: true });
  await database.drop();
}
