// `npm run bench:intake`: signed + sealed submissions against the real server (child process, on
// SQLite, or on PostgreSQL with BENCH_DB=postgres: a fresh database on the cluster of
// CONTAMOS_PG_ADMIN_URL, default the local one, dropped at the end) next to a bare express JSON
// route measured in the same run, with the same load generator.
// Prints reports/s, p50/p99 latency, server RSS and the ratio to the bare route for each of several
// alternating rounds, and the median ratio; then the p99 of both at a fixed offered load of 500
// requests/s. Requests are signed and sealed beforehand; both servers are warmed up first (3 s).
// Options (env): BENCH_SECONDS (default 6), BENCH_CONNECTIONS (64), BENCH_RATE (500), BENCH_ROUNDS (5;
// the fixed-load test runs min(ROUNDS, 3) rounds), BENCH_DB (sqlite or postgres).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { generateSigningKeyPair, parseKeyFile, ready, sealNarrative, signRequest } from '../../crypto/index.js';
import { spawnServer } from '../lib/spawn-server.js';
import { benchDatabase, benchProvider } from './bench-database.js';
import { useNativeCrypto } from '../../server/native-crypto.js';
import { closedLoop, cpuByThread, cpuSeconds, openLoop, rssMiB, type LoadResult, type PreparedRequest } from './load.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARMUP_SECONDS = 3;
const POSTGRES = benchProvider() === 'postgres';
// the ratio each provider is held to (issue 20); the p99 target at the fixed load is the same
const TARGET_RATIO = POSTGRES ? 0.3 : 0.4;
const here = path.dirname(new URL(import.meta.url).pathname);

await ready();
// Requests are signed with Node's native Ed25519, as the server verifies them: same signatures.
useNativeCrypto();
const dir = mkdtempSync(path.join(tmpdir(), 'contamos-bench-'));
const database = await benchDatabase(dir, 'bench.db');
const databaseUrl = database.url;
const env = {
  DATABASE_URL: databaseUrl,
  CONTAMOS_HOME: path.join(dir, 'keys'),
  LOG_LEVEL: 'info',
  RATE_LIMIT_PER_MINUTE: '100000000',
  CONTAMOS_MEMBER_DAILY_REPORTS: '0',
};

async function post(base: string, url: string, body: unknown, key?: { keyId: string; secretKey: string }) {
  const text = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(key ? await signRequest({ method: 'POST', url, body: text }, key) : {}) };
  const r = await fetch(base + url, { method: 'POST', headers, body: text });
  return r.json() as Promise<Record<string, string>>;
}

const fmt = (r: LoadResult) =>
  `${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms  (${r.completed} ok-or-not, ${r.errors} errors, statuses ${JSON.stringify(r.statuses)})`;

try {
  // --- Contamos ---
  const server = await spawnServer(env, undefined, { keepLines: 50 });
  const steward = parseKeyFile(readFileSync(path.join(env.CONTAMOS_HOME, 'steward.key.json'), 'utf8'));
  const members: Array<{ keyId: string; secretKey: string }> = [];
  for (let i = 0; i < 8; i++) {
    const inv = await post(server.url, '/api/v1/invites', {}, { keyId: steward.keyId!, secretKey: steward.signing!.secretKey! });
    const kp = generateSigningKeyPair();
    const en = await post(server.url, '/api/v1/enrol', { invite: inv.invite, publicKey: kp.publicKey });
    members.push({ keyId: en.keyId!, secretKey: kp.secretKey });
  }
  const seal = steward.seal!.publicKey;
  const narrative = 'Relato de prueba para el benchmark: '.repeat(12);
  // Sealing is the slow part of preparing (libsodium's WebAssembly); the server cannot tell one
  // sealed narrative from another, so 2,000 distinct ones are shared among the requests, and so
  // are their bodies (the report id is in the URL): the prepared requests then weigh ~0.5 KB each
  // instead of ~2.5 KB, and the load generator's own garbage collection stays out of the p99.
  const bodies = Array.from({ length: 2000 }, () =>
    JSON.stringify({
      year: 2023,
      region: 'PE-LMA',
      incidentType: 'extortion',
      victimGender: 'cis-woman',
      victimNationality: 'VE',
      victimAgeBand: '25-34',
      perpetratorType: 'criminal-organisation',
      sealedNarrative: sealNarrative(narrative, seal),
    }),
  );
  let bodyIndex = 0;
  const prepare = async (n: number): Promise<PreparedRequest[]> => {
    const out: PreparedRequest[] = [];
    for (let i = 0; i < n; i++) {
      const id = randomUUID();
      const url = `/api/v1/reports/${id}`;
      const body = bodies[bodyIndex++ % bodies.length]!;
      const sig = await signRequest({ method: 'PUT', url, body }, members[i % members.length]!);
      out.push({ method: 'PUT', path: url, body, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...sig } });
    }
    return out;
  };
  const t0 = performance.now();
  // Enough distinct requests (each nonce is accepted once) for every round at up to 5,000/s; a
  // round that runs out (any answer but 201) is refused below rather than counted.
  const pool = await prepare(Math.max(20_000, (ROUNDS * SECONDS + WARMUP_SECONDS) * 5000));
  const FIXED_ROUNDS = Math.min(ROUNDS, 3);
  const fixed = await prepare(FIXED_ROUNDS * RATE * SECONDS + 10);
  console.log(`prepared ${pool.length + fixed.length} signed, sealed submissions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // Both servers run side by side and the closed loops alternate, ROUNDS times: the machine is
  // shared and its speed drifts over minutes, so each round's ratio compares runs seconds apart,
  // and the median round is the figure to quote.
  const bare = await spawnServer({}, path.join(here, 'bare-server.ts'));
  const bareBody = pool[0]!.body!;
  const bareReq = (): PreparedRequest => ({
    method: 'PUT',
    path: `/api/v1/reports/${randomUUID()}`,
    body: bareBody,
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(bareBody)) },
  });
  let i = 0;
  // Warm-up, not measured: both servers compile their hot paths (the bare one needs far less time
  // for it, so a cold first round would count contamos's JIT warm-up against it).
  await closedLoop(server.url, () => pool[i++ % pool.length]!, CONNECTIONS, WARMUP_SECONDS);
  await closedLoop(bare.url, bareReq, CONNECTIONS, WARMUP_SECONDS);
  const rssStart = rssMiB(server.proc.pid!);
  const rounds: Array<{ contamos: LoadResult; bare: LoadResult; cpu: number; bareCpu: number; main: number; others: number; gen: number; cores: number }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    const cpu0 = cpuSeconds(server.proc.pid!);
    const th0 = cpuByThread(server.proc.pid!);
    const gen0 = process.cpuUsage();
    const wall0 = performance.now();
    const contamos = await closedLoop(server.url, () => pool[i++ % pool.length]!, CONNECTIONS, SECONDS);
    if (Object.keys(contamos.statuses).some((code) => code !== '201') || i > pool.length) {
      throw new Error(
        `round ${r + 1}: answers other than 201 (${JSON.stringify(contamos.statuses)}) or requests reused (${i} sent, ${pool.length} prepared): the figures would be wrong`,
      );
    }
    const genCpu = process.cpuUsage(gen0);
    const wall = (performance.now() - wall0) / 1000;
    const used = cpuSeconds(server.proc.pid!) - cpu0;
    const th1 = cpuByThread(server.proc.pid!);
    const bcpu0 = cpuSeconds(bare.proc.pid!);
    const bareRes = await closedLoop(bare.url, bareReq, CONNECTIONS, SECONDS);
    rounds.push({
      contamos,
      bare: bareRes,
      cpu: used / contamos.completed,
      bareCpu: (cpuSeconds(bare.proc.pid!) - bcpu0) / bareRes.completed,
      main: (th1.main - th0.main) / contamos.completed,
      others: (th1.others - th0.others) / contamos.completed,
      gen: (genCpu.user + genCpu.system) / contamos.completed,
      // how busy the machine was: server and load generator CPU over wall time, in cores
      cores: (used + (genCpu.user + genCpu.system) / 1e6) / wall,
    });
  }
  const rssAfter = rssMiB(server.proc.pid!);
  let j = 0;
  const fixedRounds: Array<{ contamos: LoadResult; bare: LoadResult }> = [];
  for (let r = 0; r < FIXED_ROUNDS; r++) {
    fixedRounds.push({ contamos: await openLoop(server.url, () => fixed[j++]!, RATE, SECONDS), bare: await openLoop(bare.url, bareReq, RATE, SECONDS) });
  }
  await server.stop();
  await bare.stop();

  const us = (s: number) => `${(s * 1e6).toFixed(0)} µs`;
  const store = POSTGRES ? "PostgreSQL (local cluster, its own settings; its processes' CPU is not counted below)" : 'SQLite (WAL, synchronous=FULL)';
  const others = POSTGRES ? 'GC, libuv threads' : 'SQLite writer with its Ed25519 work, checkpointer, GC';
  console.log(`\nintake benchmark — ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s each, ${store}, loopback`);
  rounds.forEach((r, k) => {
    console.log(`round ${k + 1}`);
    console.log(`  contamos (signed+sealed PUT)  ${fmt(r.contamos)}`);
    console.log(`  bare express JSON route       ${fmt(r.bare)}`);
    console.log(
      `  ratio ${(r.contamos.rps / r.bare.rps).toFixed(2)}; server CPU per request: contamos ${us(r.cpu)} (main thread ${us(r.main)}, other threads — ${others} — ${us(r.others)}), bare ${us(r.bareCpu)}; load generator ${r.gen.toFixed(0)} µs per request; ${r.cores.toFixed(2)} of ${availableParallelism()} cores busy`,
    );
  });
  const ratios = rounds.map((r) => r.contamos.rps / r.bare.rps).sort((a, b) => a - b);
  const cpuRatios = rounds.map((r) => r.bareCpu / r.cpu).sort((a, b) => a - b);
  const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
  console.log(
    `ratio contamos / bare         median ${median(ratios).toFixed(2)} (rounds ${ratios.map((x) => x.toFixed(2)).join(', ')})  (target ≥ ${TARGET_RATIO.toFixed(2)})`,
  );
  console.log(`server CPU ratio bare / contamos  median ${median(cpuRatios).toFixed(2)} (less sensitive to other load on the machine)`);
  console.log(
    `contamos server RSS           ${rssStart.rss.toFixed(0)} MiB after warm-up, ${rssAfter.rss.toFixed(0)} MiB after, peak ${rssAfter.peak.toFixed(0)} MiB`,
  );
  console.log(`\nfixed offered load ${RATE} req/s, ${FIXED_ROUNDS} alternating rounds of ${SECONDS} s (open loop)`);
  fixedRounds.forEach((r, k) => {
    console.log(`round ${k + 1}`);
    console.log(`  contamos                    ${fmt(r.contamos)}`);
    console.log(`  bare express JSON route     ${fmt(r.bare)}`);
  });
  const p99s = fixedRounds.map((r) => r.contamos.p99).sort((a, b) => a - b);
  console.log(`contamos p99 at ${RATE}/s         median ${median(p99s).toFixed(1)} ms (rounds ${p99s.map((x) => x.toFixed(1)).join(', ')})  (target < 25 ms)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  await database.drop();
}
