// `npm run bench:soak`: bounded load on loopback against the real server (SQLite) with a mix of
// signed submissions (50%), signed status reads (30%) and public release reads (20%) for a set
// time, in rounds. Prints throughput and p99 per round and the server's RSS at the start and the
// end of every round: memory must level off, not grow with the number of requests served.
// Options (env): SOAK_SECONDS (default 60), SOAK_ROUND_SECONDS (10), SOAK_CONNECTIONS (32).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { canonicalJson, generateSigningKeyPair, parseKeyFile, ready, sealNarrative, signDetached, signRequest } from '../../crypto/index.js';
import { spawnServer } from '../lib/spawn-server.js';
import { closedLoop, rssMiB, type PreparedRequest } from './load.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const ROUND = Number(process.env.SOAK_ROUND_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 32);

await ready();
const dir = mkdtempSync(path.join(tmpdir(), 'contamos-soak-'));
const env = { DATABASE_URL: `file:${path.join(dir, 'soak.db')}`, CONTAMOS_HOME: path.join(dir, 'keys'), RATE_LIMIT_PER_MINUTE: '100000000', CONTAMOS_MEMBER_DAILY_REPORTS: '0' };
type Key = { keyId: string; secretKey: string };

async function call(base: string, method: string, url: string, key: Key | null, body?: unknown) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string> = key ? { ...(await signRequest({ method, url, body: text }, key)) } : {};
  if (text) headers['content-type'] = 'application/json';
  const r = await fetch(base + url, { method, headers, body: text || undefined });
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
    members.push({ keyId: (await call(server.url, 'POST', '/api/v1/enrol', null, { invite: inv.invite, publicKey: kp.publicKey })).keyId, secretKey: kp.secretKey });
  }
  const body = () => ({
    year: 2023, region: 'PE-LMA', incidentType: 'extortion', victimGender: 'trans-woman', victimNationality: 'VE',
    victimAgeBand: '25-34', perpetratorType: 'criminal-organisation', sealedNarrative: sealNarrative('relato de prueba', sf.seal!.publicKey),
  });
  const known: Array<{ id: string; m: number }> = [];
  for (let i = 0; i < 50; i++) {
    const id = randomUUID();
    await call(server.url, 'PUT', `/api/v1/reports/${id}`, members[i % 4]!, body());
    known.push({ id, m: i % 4 });
  }
  const draft = await call(server.url, 'POST', '/api/v1/releases', publisher, { series: 'soak', filter: { year: 2023 }, tables: [['year', 'region']], k: 5 });
  await call(server.url, 'POST', `/api/v1/releases/drafts/${draft.draftId}/signature`, publisher, { signature: signDetached(canonicalJson(draft.manifest), publisher.secretKey) });

  const prepare = async (n: number): Promise<PreparedRequest[]> => {
    const out: PreparedRequest[] = [];
    for (let i = 0; i < n; i++) {
      const kind = i % 10;
      if (kind < 5) {
        const url = `/api/v1/reports/${randomUUID()}`;
        const text = JSON.stringify(body());
        out.push({ method: 'PUT', path: url, body: text, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...(await signRequest({ method: 'PUT', url, body: text }, members[i % 4]!)) } });
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
  const rounds = Math.max(1, Math.round(SECONDS / ROUND));
  const first = rssMiB(server.proc.pid!);
  let last = first;
  for (let r = 0; r < rounds; r++) {
    const pool = await prepare(ROUND * 1500); // signatures stay fresh: prepared right before each round
    let i = 0;
    const start = rssMiB(server.proc.pid!);
    const res = await closedLoop(server.url, () => pool[i++ % pool.length]!, CONNECTIONS, ROUND);
    last = rssMiB(server.proc.pid!);
    const bad = Object.entries(res.statuses).filter(([s]) => Number(s) >= 300).reduce((a, [, n]) => a + n, 0);
    console.log(`${String(r + 1).padStart(5)}  ${res.rps.toFixed(0).padStart(6)}   ${res.p50.toFixed(1).padStart(7)}  ${res.p99.toFixed(1).padStart(7)}   ${String(res.errors).padStart(6)}   ${String(bad).padStart(7)}   ${start.rss.toFixed(0)} → ${last.rss.toFixed(0)}`);
  }
  console.log(`RSS at start ${first.rss.toFixed(0)} MiB, at end ${last.rss.toFixed(0)} MiB, peak ${last.peak.toFixed(0)} MiB`);
  console.log('(pool entries are reused within a round: a reused signed request is refused as a replay (401), which is part of the load)');
  await server.stop();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
